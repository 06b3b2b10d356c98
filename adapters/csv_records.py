"""The careful path: one CSV record at a time, in Python, for the few lines that need it.

Quotes follow RFC 4180 as polars reads them: a quote is special only at the start of a
field, a quoted field ends at a quote followed by the separator or the end of the record,
and ``""`` inside it is one quote. A line that ends inside a quoted field may continue on
the next lines (a dosing text with a line break). Whether it really does is decided by
the joined record: when it closes, has as many fields as the header and no field holds a
whole row's worth of separators, it is one record over several lines; otherwise the quote
is a stray one, that line alone is rejected and the lines after it are read on their
own, each with its own line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

LINE = "line"
TEXT = "text"
SEPARATORS = (";", "\t", ",")
SEPARATOR_NAME = {";": "semikolon (;)", ",": "komma (,)", "\t": "tabb"}
# Characters that look like a separator when a file uses none of the accepted ones.
_OTHER_SEPARATORS = ("|", ":", "^", "~", "#", "/", "\\")
MAX_RECORD_LINES = 200  # a quoted field longer than this is a stray quote, not a text
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAME = {0x00: "NUL", 0x09: "tabb", 0x0C: "sidmatning", 0x1B: "ESC", 0x7F: "DEL"}

BAD_QUOTES = 'felaktiga citattecken: efter ett avslutande citattecken (") ska avgränsaren komma'
UNCLOSED_QUOTE = (
    'ett citattecken (") inleder ett fält som aldrig avslutas; raden läses inte och '
    "raderna efter den läses var för sig"
)


def column_name(index: int) -> str:
    """Positional column name in a raw table (headers may repeat or be empty)."""
    return f"c{index}"


class Ending(Enum):
    COMPLETE = "complete"
    OPEN_QUOTE = "open"  # the text ends inside a quoted field
    BAD_QUOTES = "bad"  # text after a closing quote


def split_record(text: str, sep: str) -> tuple[list[str], Ending]:
    """The fields of one record's text, and how the text ended."""
    fields: list[str] = []
    at, size = 0, len(text)
    while True:
        if at < size and text[at] == '"':
            parts: list[str] = []
            start = at + 1
            while True:
                close = text.find('"', start)
                if close < 0:
                    fields.append("".join(parts) + text[start:])
                    return fields, Ending.OPEN_QUOTE
                if text.startswith('"', close + 1):
                    parts.append(text[start : close + 1])
                    start = close + 2
                    continue
                parts.append(text[start:close])
                at = close + 1
                break
            fields.append("".join(parts))
            if at == size:
                return fields, Ending.COMPLETE
            if text[at] != sep:
                return fields, Ending.BAD_QUOTES
            at += 1
        else:
            found = text.find(sep, at)
            if found < 0:
                fields.append(text[at:])
                return fields, Ending.COMPLETE
            fields.append(text[at:found])
            at = found + 1


def control_problem(fields: Sequence[str], headers: Sequence[str]) -> str | None:
    """The reason a row with a control character in a cell is rejected, else None."""
    for index, value in enumerate(fields):
        found = _CONTROL.search(value)
        if found:
            code = ord(found.group())
            name = _CONTROL_NAME.get(code)
            what = f"{name}, 0x{code:02X}" if name else f"0x{code:02X}"
            where = (
                f'i kolumnen "{headers[index]}"'
                if index < len(headers) and headers[index].strip()
                else f"i fält {index + 1}"
            )
            return f"otillåtet styrtecken ({what}) {where}; raden läses inte"
    return None


def width_problem(fields: int, width: int) -> str:
    return f"raden har {fields} fält men rubrikraden har {width}"


@dataclass(frozen=True)
class Record:
    """One record found by the careful path: its first line (1-based) and last line."""

    line: int
    last_line: int
    fields: list[str]
    problem: str | None  # None: a good row


def careful_records(
    line_numbers: Sequence[int],
    text_of: Callable[[int, int], str],
    sep: str,
    headers: Sequence[str],
) -> list[Record]:
    """Records starting at the given lines (ascending, 1-based) read one by one.

    ``text_of(first, last)`` is the text of lines first..last joined by newlines. A line
    that ends inside a quoted field is joined with the lines after it until the field
    closes; a joined record that does not close, or has the wrong number of fields, is
    a stray quote: its first line is rejected and the next line starts afresh (the
    caller lists it among ``line_numbers`` or knows it is a plain line).
    """
    width = len(headers)
    records: list[Record] = []
    consumed = 0  # the last line of a record that spans lines
    for line in line_numbers:
        if line <= consumed:
            continue
        text = text_of(line, line)
        if not text.strip():
            continue  # a blank line is no row
        fields, ending = split_record(text, sep)
        if ending is Ending.OPEN_QUOTE:
            joined = _join_open_record(line, text_of, sep, headers)
            if joined is not None:
                records.append(joined)
                consumed = joined.last_line
                continue
            records.append(Record(line, line, fields, UNCLOSED_QUOTE))
            continue
        if ending is Ending.BAD_QUOTES:
            records.append(Record(line, line, fields, BAD_QUOTES))
            continue
        problem = control_problem(fields, headers)
        if problem is None and len(fields) != width:
            problem = width_problem(len(fields), width)
        records.append(Record(line, line, fields, problem))
    return records


def _join_open_record(
    line: int, text_of: Callable[[int, int], str], sep: str, headers: Sequence[str]
) -> Record | None:
    """The record over lines ``line``.. when its quoted field closes and it has as many
    fields as the header; None otherwise (a stray quote)."""
    for last in range(line + 1, line + MAX_RECORD_LINES):
        try:
            text = text_of(line, last)
        except IndexError:  # the file ended inside the quoted field
            return None
        fields, ending = split_record(text, sep)
        if ending is Ending.OPEN_QUOTE:
            continue
        if ending is Ending.COMPLETE and len(fields) == len(headers):
            if any(_swallows_a_row(value, sep, len(headers)) for value in fields):
                return None
            return Record(line, last, fields, control_problem(fields, headers))
        return None
    return None


def _swallows_a_row(value: str, sep: str, width: int) -> bool:
    """A value over several lines holding a whole row's worth of separators: a stray quote
    swallowed the rows between, even when the record happens to have the right width."""
    return "\n" in value and width > 2 and value.count(sep) >= width - 1


# --- the header row ------------------------------------------------------------------------


def choose_separator(header_line: str) -> str:
    """The separator that splits the header row into the most fields (ties: ; then TAB)."""
    outside_quotes = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: outside_quotes.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])  # max keeps the first on ties
    return best if counts[best] > 0 else ";"


def unknown_separator(header_line: str) -> str | None:
    """A character that seems to separate the header's columns when none of ; TAB , do."""
    if any(sep in header_line for sep in SEPARATORS):
        return None
    counts = {ch: header_line.count(ch) for ch in _OTHER_SEPARATORS}
    best = max(_OTHER_SEPARATORS, key=lambda ch: counts[ch])
    return best if counts[best] >= 2 else None

"""Cell values that a spreadsheet can never execute or choke on.

Export text (substance names, dosing text, free-text comments, file names) ends up in
the report. A text starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs strip before looking) could be read as a formula by Excel
or by whoever copies the cells onward, so such text is stored as an explicit string
cell with Excel's "quote prefix" set: it shows as typed and stays text when edited.
Control characters that XML cannot hold are removed instead of failing the night's run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell


def clean_text(text: str) -> str:
    """Drop characters XML cannot carry and cut to Excel's cell limit.

    A carriage return becomes a line feed: XML readers turn it into one anyway, and
    this way the text we check is the text a reader gets back.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def needs_text_guard(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula or an error value."""
    return text.startswith(FORMULA_PREFIXES) or text in ERROR_CODES


def text_cell(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """A cell that holds ``text`` as a string whatever it starts with."""
    cell = WriteOnlyCell(ws)
    # Assigning through ``value`` would make "=..." a formula; set the raw value and type.
    cell._value = text
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_value(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` ready for ``ws.append``: plain values pass, risky text becomes a text cell."""
    if isinstance(value, str):
        value = clean_text(value)
        if needs_text_guard(value):
            return text_cell(ws, value)
        return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Excel has no time zones: show local wall-clock time.
        return value.astimezone().replace(tzinfo=None)
    return value


def safe_row(ws: WriteOnlyWorksheet, values: tuple[Any, ...] | list[Any]) -> list[Any]:
    """Every value of a row through ``safe_value``."""
    return [safe_value(ws, value) for value in values]

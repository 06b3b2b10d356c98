"""The shape of every line of a CSV export, found with numpy in a few passes over its bytes.

polars parses fields fast but pads a short row and cuts a long one without saying so, and
it cannot tell which physical line a row came from once a quoted field spans lines. So
before polars parses, the bytes are scanned once (in chunks, so memory stays small) for
newlines, separators, quotes and control characters. For each physical line that gives
its byte range, its number of fields (separators inside quoted fields not counted), how
many quotes it holds, whether a quote stands where a CSV quote cannot (``"a"x``, ``b"c``)
and whether it holds a control character. Lines that are not plainly one good row go
to the careful path in ``csv_records``.

A file without quotes (the usual export) gets a quicker scan: instead of finding every
separator, only their total is counted, and ``with_fields`` proves from polars' rows
which lines have the header's number of fields (see there). When the proof fails, the
exact scan runs after all.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

_CHUNK = 1 << 20  # bytes looked at in one numpy pass: its masks stay in the cache
_LF, _CR, _TAB, _QUOTE, _DEL = 10, 13, 9, 34, 127


@dataclass(frozen=True)
class LineScan:
    """Per physical line (0-based index; line number = index + 1)."""

    starts: np.ndarray  # first byte
    ends: np.ndarray  # one past the last content byte ("\r\n" / "\n" excluded)
    fields: np.ndarray  # separators outside quoted fields + 1
    quotes: np.ndarray  # number of '"' on the line
    misplaced_quote: np.ndarray  # bool: a quote that is not at a field's start or end
    control: np.ndarray  # bool: a control character (C0 other than TAB/LF/CR, DEL, C1)
    # False only when no field can begin or end with whitespace: then the cells need no
    # trimming (a cheap, conservative test; True costs only the trimming).
    padded: bool = True
    # The quick scan (a file without quotes) counts the separators of the whole file
    # only; ``fields`` is then filled in by ``with_fields`` from polars' rows.
    separators: int = 0
    exact: bool = True

    @property
    def count(self) -> int:
        return int(self.starts.size)


def _positions(buffer: np.ndarray, byte: int) -> np.ndarray:
    parts = [
        np.flatnonzero(buffer[start : start + _CHUNK] == byte) + start
        for start in range(0, buffer.size, _CHUNK)
    ]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _any_space(values: np.ndarray, spaces: tuple[int, ...]) -> bool:
    hit = values == spaces[0]
    for space in spaces[1:]:
        hit |= values == space
    return bool(hit.any())


def _counts_before(buffer: np.ndarray, byte: int, at: np.ndarray) -> np.ndarray:
    """For each (sorted) position in ``at``: how many ``byte`` lie before it."""
    return _separators(buffer, byte, at, padding=False)[0]


def _separator_total(buffer: np.ndarray, byte: int) -> tuple[int, bool]:
    """How many separators the text holds, and whether a space or tab touches one."""
    total = 0
    padded = False
    spaces = (32,) if byte == _TAB else (32, _TAB)
    for start in range(0, buffer.size, _CHUNK):
        chunk = buffer[start : start + _CHUNK + 1]
        is_separator = chunk == byte
        total += int(np.count_nonzero(is_separator[:_CHUNK]))
        if not padded:
            is_space = chunk == spaces[0]
            for space in spaces[1:]:
                is_space |= chunk == space
            padded = bool(np.any(is_space[:-1] & is_separator[1:])) or bool(
                np.any(is_separator[:-1] & is_space[1:])
            )
    return total, padded


def _separators(
    buffer: np.ndarray, byte: int, at: np.ndarray, *, padding: bool
) -> tuple[np.ndarray, bool]:
    """``_counts_before``, and (with ``padding``) whether a space or tab touches a
    separator (then a field may begin or end with it)."""
    result = np.empty(at.size, dtype=np.int64)
    total = 0
    padded = False
    spaces = (32,) if byte == _TAB else (32, _TAB)
    for start in range(0, buffer.size, _CHUNK):
        end = min(start + _CHUNK, buffer.size)
        chunk = buffer[start : end + 1]  # one byte more: a space right after the last
        is_separator = chunk == byte
        found = np.flatnonzero(is_separator[: end - start])
        lo, hi = np.searchsorted(at, [start, end])
        result[lo:hi] = total + np.searchsorted(found, at[lo:hi] - start)
        total += found.size
        if padding and not padded and found.size:
            is_space = chunk == spaces[0]
            for space in spaces[1:]:
                is_space |= chunk == space
            padded = bool(np.any(is_space[:-1] & is_separator[1:])) or bool(
                np.any(is_separator[:-1] & is_space[1:])
            )
    result[np.searchsorted(at, buffer.size) :] = total  # positions at the very end
    return result, padded


def _wide_space(buffer: np.ndarray) -> bool:
    """Whether the text holds, anywhere, whitespace a trim removes beyond ASCII: NBSP
    (C2 A0), U+1680 (E1 9A 80), U+2000-U+200A, U+2028, U+2029, U+202F (E2 80 xx), U+205F
    (E2 81 9F) or U+3000 (E3 80 80). Then cells are trimmed (a cheap, safe answer)."""
    for start in range(0, buffer.size, _CHUNK):
        chunk = buffer[start : start + _CHUNK + 2]
        # A0 (the end of NBSP) is a rare byte in Swedish UTF-8 text; so are E1 and E3.
        nbsp = np.flatnonzero(chunk[1:] == 0xA0) + 1
        if np.any(chunk[nbsp - 1] == 0xC2):
            return True
        # E1, E2 or E3 (the subtraction wraps around below E1).
        lead = np.flatnonzero((chunk[:-2] - np.uint8(0xE1)) < 3)
        if lead.size == 0:
            continue
        first, second, third = chunk[lead], chunk[lead + 1], chunk[lead + 2]
        general = (second == 0x80) & (
            ((third >= 0x80) & (third <= 0x8A))
            | (third == 0xA8)
            | (third == 0xA9)
            | (third == 0xAF)
        )
        found = (
            ((first == 0xE1) & (second == 0x9A) & (third == 0x80))
            | ((first == 0xE2) & (general | ((second == 0x81) & (third == 0x9F))))
            | ((first == 0xE3) & (second == 0x80) & (third == 0x80))
        )
        if found.any():
            return True
    return False


def lone_carriage_return(buffer: np.ndarray) -> bool:
    """True when a CR is not followed by LF (old Mac line ends): then CR must become LF."""
    if not any(
        np.count_nonzero(buffer[start : start + _CHUNK] == _CR)
        for start in range(0, buffer.size, _CHUNK)
    ):
        return False
    cr = _positions(buffer, _CR)
    if cr.size == 0:
        return False
    if cr[-1] == buffer.size - 1:
        return True
    return bool(np.any(buffer[cr + 1] != _LF))


def _control_positions(buffer: np.ndarray, newlines: np.ndarray) -> np.ndarray:
    """Positions of control characters: C0 other than TAB, LF and CR; DEL; C1 (UTF-8)."""
    parts = []
    for start in range(0, buffer.size, _CHUNK):
        chunk = buffer[start : start + _CHUNK + 1]
        body = chunk[:_CHUNK]
        low = int(np.count_nonzero(body < 32))
        lo, hi = np.searchsorted(newlines, [start, start + body.size])
        if low > hi - lo:  # more than the line ends: CR, TAB, or a control character
            allowed = hi - lo + np.count_nonzero(body == _CR) + np.count_nonzero(body == _TAB)
            if low > allowed:
                bad = (body < 32) & (body != _LF) & (body != _CR) & (body != _TAB)
                parts.append(np.flatnonzero(bad) + start)
        if np.count_nonzero(body == _DEL):
            parts.append(np.flatnonzero(body == _DEL) + start)
        # C1 controls (U+0080-U+009F) are C2 80 ... C2 9F in UTF-8.
        lead = np.flatnonzero(chunk[:-1] == 0xC2)
        if lead.size:
            parts.append(lead[chunk[lead + 1] < 0xA0] + start)
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def scan_lines(buffer: np.ndarray, separator: int, *, exact: bool = True) -> LineScan:
    """The shape of every physical line of UTF-8 ``buffer`` (LF or CR LF line ends).

    ``exact=False`` allows the quick scan: when the text holds no quote, only the total
    number of separators is counted, and ``fields`` must be completed by ``with_fields``.
    """
    size = buffer.size
    newlines = _positions(buffer, _LF)
    # The last line may end at the end of the file instead of with a newline.
    raw_ends = np.append(newlines, size) if size and buffer[-1] != _LF else newlines
    count = raw_ends.size
    starts = np.empty(count, dtype=np.int64)
    if count:
        starts[0] = 0
        starts[1:] = raw_ends[:-1] + 1
    ends = raw_ends.copy()
    if count:
        before_end = np.maximum(raw_ends - 1, 0)
        ends -= (raw_ends > starts) & (buffer[before_end] == _CR)
    spaces = (32,) if separator == _TAB else (32, _TAB)
    content = ends > starts
    padded = _any_space(buffer[starts[content]], spaces) or _any_space(
        buffer[ends[content] - 1], spaces
    )

    quote_at = _positions(buffer, _QUOTE)
    quotes = np.zeros(count, dtype=np.int64)
    misplaced = np.zeros(count, dtype=bool)
    total = 0
    if quote_at.size or exact:
        separators, padded_by_separator = _separators(buffer, separator, raw_ends, padding=True)
        fields = np.diff(separators, prepend=0) + 1
    else:
        total, padded_by_separator = _separator_total(buffer, separator)
        fields = np.zeros(count, dtype=np.int64)  # filled in by with_fields
    padded = padded or padded_by_separator
    if quote_at.size:
        line = np.searchsorted(raw_ends, quote_at)
        quotes = np.bincount(line, minlength=count).astype(np.int64)
        first = np.cumsum(quotes) - quotes
        opening = (np.arange(quote_at.size) - first[line]) % 2 == 0
        previous = buffer[np.maximum(quote_at - 1, 0)]
        following = buffer[np.minimum(quote_at + 1, size - 1)]
        at_start = quote_at == starts[line]
        at_end = quote_at + 1 >= ends[line]
        open_ok = at_start | (previous == separator) | (previous == _QUOTE)
        close_ok = at_end | (following == separator) | (following == _QUOTE)
        wrong = np.where(opening, ~open_ok, ~close_ok)
        misplaced[line[wrong]] = True
        padded = padded or bool(np.isin(np.where(opening, following, previous), (32, _TAB)).any())
        # Separators between an opening quote and the next quote on the same line are
        # inside a quoted field and do not split it.
        pair = opening[:-1] & (line[:-1] == line[1:])
        if np.any(pair):
            open_at = np.flatnonzero(pair)
            inside_before = _counts_before(buffer, separator, quote_at)
            inside = inside_before[open_at + 1] - inside_before[open_at]
            fields -= np.bincount(line[open_at], weights=inside, minlength=count).astype(np.int64)

    control = np.zeros(count, dtype=bool)
    control_at = _control_positions(buffer, newlines)
    if control_at.size:
        control[np.searchsorted(raw_ends, control_at)] = True
    padded = padded or _wide_space(buffer)
    exact = bool(quote_at.size) or exact
    return LineScan(starts, ends, fields, quotes, misplaced, control, padded, total, exact)


def with_fields(
    scan: LineScan, buffer: np.ndarray, separator: int, first: int, width: int, hint: np.ndarray
) -> LineScan | None:
    """The quick scan completed: every data line's number of fields, or None when the
    totals do not prove it (then ``scan_lines(exact=True)`` counts line by line).

    ``hint`` marks the data lines whose polars row had its last column empty or a value
    beyond it: only those can have a number of fields other than ``width``. They are
    counted one by one; every other line has at least ``width`` fields, and when the
    file's separators add up to exactly ``width - 1`` for each of them, it has exactly
    ``width``.
    """
    suspects = np.flatnonzero(hint) + first
    if suspects.size > max(1000, (scan.count - first) // 20):
        return None
    counted = np.array(
        [
            int(np.count_nonzero(buffer[scan.starts[i] : scan.ends[i]] == separator))
            for i in suspects.tolist()
        ],
        dtype=np.int64,
    )
    header_end = int(scan.starts[first]) if first < scan.count else buffer.size
    header = int(np.count_nonzero(buffer[:header_end] == separator))
    others = scan.count - first - suspects.size
    if scan.separators - header - int(counted.sum()) != (width - 1) * others:
        return None
    fields = np.full(scan.count, width, dtype=np.int64)
    fields[suspects] = counted + 1
    return dataclasses.replace(scan, fields=fields, exact=True)

"""Limits an XLSX workbook must stay within before calamine (fastexcel) may read it.

calamine allocates a cell for every position of a sheet's used range: one cell at
``XFD1048576`` asks for 17 billion cells (a 512 GiB allocation that aborts the process),
and a few kilobytes of compressed XML can hold millions of rows. So the workbook is
inspected first with the standard library: the declared size of every part, each
sheet's declared dimension, its actual rows, columns and cells (found in the XML as it
is decompressed, never more of it than the limit), and the shared strings. Anything
beyond the limits is refused with a Swedish message; nothing here allocates by what a
file declares.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import numpy as np

from adapters.source import unusable

# An export sheet has at most a few dozen columns and fits Excel's own row limit; a
# municipality's export is a few hundred thousand rows. The cell limit keeps calamine's
# grid (32 bytes a cell) and the text under about a gigabyte.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 200
MAX_CELLS = 15_000_000
MAX_SHARED_STRINGS = 15_000_000
MAX_PART_BYTES = 1 << 30  # uncompressed size of one part (a sheet's XML)
MAX_WORKBOOK_BYTES = 2 << 30  # uncompressed size of all parts together
MAX_SMALL_PART_BYTES = 16 << 20  # workbook.xml and its relations
_CHUNK = 4 << 20
_OVERLAP = 32  # a reference cut by a chunk boundary is read whole in the next chunk

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_UNIQUE_COUNT = re.compile(rb'uniqueCount="(\d+)"')


@dataclass(frozen=True)
class SheetPart:
    name: str
    part: str  # path of the sheet's XML inside the zip


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _count(number: int) -> str:
    """A number the Swedish way: 1 048 576."""
    return f"{number:,}".replace(",", " ")


def _too_big(path: Path, what: str) -> Exception:
    limits = (
        f"{_count(MAX_ROWS)} rader, {MAX_COLUMNS} kolumner och {_count(MAX_CELLS)} celler per blad"
    )
    return unusable(
        path, f"{what}. Så stora Excel-filer läses inte ({limits}); exportera som CSV i stället."
    )


def sheets(path: Path, book: zipfile.ZipFile) -> list[SheetPart]:
    """The workbook's sheets in order, after checking the sizes of all its parts."""
    infos = book.infolist()
    total = sum(info.file_size for info in infos)
    if total > MAX_WORKBOOK_BYTES:
        raise _too_big(path, f"den packas upp till {total / 2**30:.1f} GiB")
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise _too_big(
                path, f"delen {info.filename} packas upp till {_count(info.file_size)} byte"
            )
    try:
        workbook = ElementTree.fromstring(_small_part(path, book, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_small_part(path, book, "xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError) as exc:
        raise unusable(path, "den är ingen läsbar Excel-fil (.xlsx).") from exc
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")}
    found = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
        found.append(SheetPart(sheet.get("name", ""), part))
    return found


def _small_part(path: Path, book: zipfile.ZipFile, name: str) -> bytes:
    if book.getinfo(name).file_size > MAX_SMALL_PART_BYTES:
        raise _too_big(path, f"delen {name} är orimligt stor")
    return book.read(name)


def check_shared_strings(path: Path, book: zipfile.ZipFile) -> None:
    """The shared string table: its declared and its actual number of strings."""
    name = "xl/sharedStrings.xml"
    if name not in book.namelist():
        return
    count = 0
    tail = b""
    with book.open(name) as part:
        head = part.read(4096)
        declared = _UNIQUE_COUNT.search(head)
        if declared and int(declared.group(1)) > MAX_SHARED_STRINGS:
            raise _too_big(
                path, f"tabellen med delade texter anger {_count(int(declared.group(1)))} texter"
            )
        chunk = head
        while chunk:
            text = tail + chunk
            count += text.count(b"<si>") + text.count(b"<si ") - tail.count(b"<si")
            tail = text[-8:]
            if count > MAX_SHARED_STRINGS:
                raise _too_big(
                    path, f"tabellen med delade texter har över {_count(MAX_SHARED_STRINGS)} texter"
                )
            chunk = part.read(_CHUNK)


def check_sheet(path: Path, book: zipfile.ZipFile, sheet: SheetPart) -> None:
    """Refuse a sheet whose declared or actual used range is beyond the limits."""
    try:
        info = book.getinfo(sheet.part)
    except KeyError as exc:
        raise unusable(path, f'bladet "{sheet.name}" saknas i filen.') from exc
    max_row = max_column = cells = 0
    with book.open(info) as part:
        carry = b""
        first = True
        while chunk := part.read(_CHUNK):
            text = carry + chunk
            if first:
                _check_declared(path, sheet, text)
                first = False
            rows, columns, references = _largest_references(text)
            plain = chunk.count(b"<c ") + chunk.count(b"<c>")
            if plain > references:  # cells without a reference sit one after the other
                columns = max(columns, _widest_row(text))
            max_row, max_column = max(max_row, rows), max(max_column, columns)
            cells += max(plain, references)
            carry = text[-_OVERLAP:]
            _check_range(path, sheet, max_row, max_column, cells)


def _check_declared(path: Path, sheet: SheetPart, head: bytes) -> None:
    found = _DIMENSION.search(head[: 1 << 16])
    if not found:
        return
    first_col, first_row, last_col, last_row = found.groups()
    col = column_number((last_col or first_col or b"A").decode())
    row = int(last_row or first_row or 1)
    if row > MAX_ROWS or col > MAX_COLUMNS or row * col > MAX_CELLS:
        shown = (last_col or first_col or b"").decode() + str(row)
        raise _too_big(path, f'bladet "{sheet.name}" anger att det används ända till cell {shown}')


def _check_range(path: Path, sheet: SheetPart, rows: int, columns: int, cells: int) -> None:
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        where = f"{column_letters(columns)}{rows}" if columns else f"rad {rows}"
        raise _too_big(path, f'bladet "{sheet.name}" har innehåll ända till cell {where}')
    if cells > MAX_CELLS:
        raise _too_big(path, f'bladet "{sheet.name}" har över {_count(MAX_CELLS)} celler')


_DIGIT_WEIGHTS = 10 ** np.arange(7, -1, -1, dtype=np.int64)


def _widest_row(text: bytes) -> int:
    return max((row.count(b"<c ") + row.count(b"<c>") for row in text.split(b"</row>")), default=0)


def _largest_references(text: bytes) -> tuple[int, int, int]:
    """Largest row and column number among ``r="..."`` references in ``text``, and the
    number of cell references (those with a column).

    Cell references (``r="AB12"``) and row numbers (``r="12"``) are parsed with numpy,
    so that millions of cells cost a few vectorised passes, not a Python loop.
    """
    data = np.frombuffer(text, dtype=np.uint8)
    if data.size < 16:
        return 0, 0, 0
    at = np.flatnonzero(
        (data[:-15] == 32) & (data[1:-14] == 114) & (data[2:-13] == 61) & (data[3:-12] == 34)
    )
    if at.size == 0:
        return 0, 0, 0
    tail = data[at[:, None] + 4 + np.arange(12)]  # up to 3 letters and 9 digits
    letter = (tail >= 65) & (tail <= 90)
    letters = np.argmin(np.concatenate([letter, np.zeros((at.size, 1), bool)], axis=1), axis=1)
    letters = np.minimum(letters, 4)
    columns = np.zeros(at.size, dtype=np.int64)
    for k in range(3):
        has = letters > k
        columns = np.where(has, columns * 26 + tail[:, k].astype(np.int64) - 64, columns)
    columns = np.where(letters > 3, MAX_COLUMNS * 1000, columns)  # four letters: nonsense
    digits = tail[np.arange(at.size)[:, None], np.minimum(letters[:, None] + np.arange(8), 11)]
    is_digit = (digits >= 48) & (digits <= 57)
    run = np.argmin(np.concatenate([is_digit, np.zeros((at.size, 1), bool)], axis=1), axis=1)
    value = np.where(is_digit & (np.arange(8) < run[:, None]), digits.astype(np.int64) - 48, 0)
    rows = (value * _DIGIT_WEIGHTS).sum(axis=1) // 10 ** (8 - np.maximum(run, 1))
    rows = np.where(run >= 8, MAX_ROWS * 1000, np.where(run == 0, 0, rows))
    return int(rows.max()), int(columns.max()), int(np.count_nonzero(letters))

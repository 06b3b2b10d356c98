"""Reading an export file into a raw table: every cell a string, every row its line number.

Nothing here knows about Cosmic or Pascal. A CSV/TXT file is decoded (UTF-8 with or
without BOM, else Windows-1252), its separator is chosen from the header row, and rows
whose number of fields differs from the header are set aside as malformed instead of
being padded or cut. XLSX files are read from their first sheet with every value as text.
Whatever makes a whole file unusable raises ``UnusableInputError`` with a Swedish message.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from adapters import csv_records
from adapters.csv_records import FIELDS, LINE, QUOTES_OK, TEXT, column_name
from medrecon.errors import UnusableInputError

# LINE: 1-based line (CSV) or row (XLSX) number in the file; the header is line 1.
__all__ = ["LINE", "RawTable", "column_name", "read_table"]
SEPARATORS = (";", "\t", ",")
SEPARATOR_NAME = {";": "semikolon (;)", ",": "komma (,)", "\t": "tabb"}

_BAD_QUOTES = 'felaktiga citattecken: efter ett avslutande citattecken (") ska avgränsaren komma'
MALFORMED_SCHEMA = {LINE: pl.Int64(), "reason": pl.String(), "cells": pl.List(pl.String())}

_CHUNK = 1 << 20  # bytes decoded at a time when telling mixed encodings apart
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls and other OLE documents
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What UTF-8 text looks like after it was decoded as Windows-1252 once too often: "Ã¤".
_MOJIBAKE = re.compile("Ã[" + bytes(range(0x80, 0xC0)).decode("cp1252", "ignore") + "]|\ufffd")


@dataclass(frozen=True)
class RawTable:
    """One file's header and rows, all strings, before any system-specific meaning."""

    path: Path
    file_type: str  # "csv" | "xlsx"
    encoding: str | None
    separator: str | None
    headers: list[str]
    rows: pl.DataFrame  # LINE (Int64) + one String column per header, named column_name(i)
    # Rows with the wrong shape: LINE, "reason" and "cells" (List[String], best effort, so
    # that the patient of a broken row can still be marked as incompletely loaded).
    malformed: pl.DataFrame

    @property
    def row_count(self) -> int:
        return self.rows.height + self.malformed.height


def _unusable(path: Path, problem: str) -> UnusableInputError:
    return UnusableInputError(f"Filen {path.name} kan inte användas: {problem}", title="Fel fil")


def read_table(path: Path) -> RawTable:
    """Read a CSV, TXT or XLSX export (the content decides, not only the extension)."""
    path = Path(path)
    if not path.exists():
        raise UnusableInputError(f"Filen {path} finns inte.", title="Fil saknas")
    if path.is_dir():
        raise _unusable(path, "det är en mapp, inte en fil.")
    # Only the first bytes decide the file type; the CSV reader reads the rest itself, so
    # that no caller keeps the whole file's bytes alive while polars parses it.
    start = _read_bytes(path, len(_OLE_MAGIC))
    if start.startswith(_ZIP_MAGIC):
        return _read_xlsx(path)
    if path.suffix.lower() == ".xlsx":
        raise _unusable(path, "den har ändelsen .xlsx men är ingen Excel-fil.")
    if start.startswith(_OLE_MAGIC):
        raise _unusable(
            path, "det gamla Excel-formatet (.xls) stöds inte. Spara filen som .xlsx eller CSV."
        )
    try:
        return _read_csv(path)
    except pl.exceptions.PolarsError as exc:  # a shape our checks did not foresee
        raise _unusable(path, "den kunde inte tolkas som en tabell (CSV).") from exc


def _read_bytes(path: Path, size: int = -1) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError as exc:
        raise _unusable(path, f"den gick inte att läsa ({exc.strerror}).") from exc


# --- CSV ---------------------------------------------------------------------------------


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decoded text and the encoding's name; refuses text that was decoded wrongly before."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _unusable(
            path, "teckenkodningen UTF-16 stöds inte. Spara filen som UTF-8 eller ANSI."
        )
    # NUL (and our line-reading separator) anywhere, other control bytes near the start.
    if b"\x00" in data or b"\x1f" in data or _BINARY_BYTES.search(data, 0, 65536):
        raise _unusable(path, "den innehåller binära data och är ingen textfil med en tabell.")
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _mostly_utf8(body):
            raise UnusableInputError(
                f"Filen {path.name} är inte giltig UTF-8 på rad {_line_of(body, exc.start)} "
                "(ett tecken i Windows-1252?). Spara om filen som UTF-8 eller Windows-1252 i "
                "sin helhet.",
                title="Blandad teckenkodning",
            ) from exc
        encoding = "cp1252"
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise _unusable(
                path, "teckenkodningen kunde inte avgöras (varken UTF-8 eller Windows-1252)."
            ) from exc
    found = _MOJIBAKE.search(text) if ("Ã" in text or "\ufffd" in text) else None
    if found:
        line_no = _line_of(text, found.start())
        raise _unusable(
            path,
            f'texten innehåller felkodade tecken ("{found.group()}" på rad {line_no}), så den '
            "har sparats med fel teckenkodning. Exportera den igen som UTF-8 eller Windows-1252.",
        )
    return text, encoding


def _mostly_utf8(data: bytes) -> bool:
    """Whether text that is not valid UTF-8 still has more valid UTF-8 letters than bad bytes.

    Such a file is UTF-8 with a few lines pasted in from a Windows-1252 file: reading it
    all as Windows-1252 would garble every å, ä, ö of the UTF-8 part. A file entirely in
    Windows-1252 has next to no valid multi-byte sequences (a letter such as "ä" is one
    byte followed by ASCII), so it still counts as Windows-1252. Counted in chunks, so
    that the failure path needs no second copy of a large file.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    view = memoryview(data)
    valid = invalid = 0
    for start in range(0, len(data), _CHUNK):
        chunk = decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(data))
        non_ascii = len(chunk) - len(chunk.encode("ascii", "ignore"))
        # Each invalid byte became one lone surrogate, which "ignore" drops.
        bad = len(chunk.encode("utf-8", "surrogateescape")) - len(chunk.encode("utf-8", "ignore"))
        valid += non_ascii - bad
        invalid += bad
    return valid > invalid


def _line_of(text: str | bytes, position: int) -> int:
    """1-based line number of a position; a line ends with LF, CR LF or a lone CR."""
    if isinstance(text, bytes):
        head = text[:position]
        return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    prefix = text[:position]
    return prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1


def choose_separator(header_line: str) -> str:
    """The separator that splits the header row into the most fields (ties: ; then TAB)."""
    outside_quotes = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: outside_quotes.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])  # max keeps the first on ties
    return best if counts[best] > 0 else ";"


def _utf8_source(path: Path) -> tuple[Path | bytes, str]:
    """What polars reads (UTF-8 with \n line ends) and the file's encoding.

    A UTF-8 file without carriage returns is read by polars from disk (it skips a BOM
    itself), so the bytes and the decoded text read here for the checks are released
    before the file is parsed; only other files are converted in memory.
    """
    data = _read_bytes(path)
    text, encoding = decode(path, data)
    if not text or text.isspace():
        raise _unusable(path, "den är tom.")
    if encoding != "cp1252" and b"\r" not in data:
        return path, encoding
    del data
    return text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"), encoding


def _read_csv(path: Path) -> RawTable:
    body, encoding = _utf8_source(path)
    lines = csv_records.physical_lines(body)
    line_count = lines.height
    multiline = csv_records.has_multiline_records(lines)
    if multiline:
        unclosed = csv_records.unclosed_quote_line(lines)
        if unclosed is not None:
            raise _unusable(
                path,
                f'ett citattecken (") på rad {unclosed} avslutas aldrig, så resten av filen '
                "går inte att dela upp i rader och fält.",
            )
    records = csv_records.non_blank(csv_records.join_multiline(lines) if multiline else lines)
    del lines
    if records.height == 0:
        raise _unusable(path, "den är tom.")
    header_text = records.item(0, TEXT)
    sep = choose_separator(header_text)
    if not csv_records.quotes_ok(header_text, sep):
        raise _unusable(path, "rubrikraden har felaktiga citattecken och går inte att tolka.")
    header_width = csv_records.field_count_of(header_text, sep)
    header_cells = csv_records.parse_records(records[TEXT].head(1), sep, header_width).row(0)
    headers = ["" if h is None else str(h) for h in header_cells]
    width = len(headers)

    counted = csv_records.count_fields(records.slice(1), sep)
    del records
    well_formed = pl.col(QUOTES_OK) & (pl.col(FIELDS) == width)
    malformed = counted.filter(~well_formed).select(
        LINE,
        reason=pl.when(pl.col(QUOTES_OK))
        .then(pl.format("raden har {} fält men rubrikraden har {}", pl.col(FIELDS), pl.lit(width)))
        .otherwise(pl.lit(_BAD_QUOTES)),
        cells=pl.col(TEXT).str.split(sep).list.eval(pl.element().str.strip_chars('" ')),
    )
    names = [column_name(i) for i in range(width)]
    rows: pl.DataFrame | None = None
    # One record per line and no record polars would refuse: parse the whole file at once
    # and pick the good lines; otherwise parse the good records on their own.
    fast = not multiline and bool(counted[QUOTES_OK].all())
    widest = max(width, int(counted.select(pl.col(FIELDS).max()).item() or 0))
    good = counted.filter(well_formed).select(LINE) if fast else counted.filter(well_formed)
    del counted  # the fast path needs no line texts: free them before polars parses
    if fast and good.height:
        parsed = csv_records.parse_fields(body, sep, widest)
        if parsed.height == line_count:
            rows = _pick_lines(parsed.select(names), good[LINE])
        else:  # not one row per line after all: parse the good records on their own
            del parsed
            texts = csv_records.physical_lines(body).select(LINE, TEXT)
            good = good.join(texts, on=LINE, how="left", maintain_order="left")
    if rows is None and good.height:
        try:
            parsed = csv_records.parse_records(good[TEXT], sep, width)
        except pl.exceptions.ComputeError as exc:
            raise _unusable(path, "citattecknen i filen kunde inte tolkas entydigt.") from exc
        if parsed.height != good.height:
            raise _unusable(
                path, "citattecknen i filen kunde inte tolkas entydigt (ett citattecken saknas?)."
            )
        rows = parsed.insert_column(0, good[LINE])
    if rows is None:
        rows = pl.DataFrame(schema={LINE: pl.Int64(), **{n: pl.String() for n in names}})
    return RawTable(path, "csv", encoding, sep, headers, rows, malformed)


def _pick_lines(parsed: pl.DataFrame, lines: pl.Series) -> pl.DataFrame:
    """The parsed rows of the given (increasing) line numbers, with ``LINE`` in front.

    Usually every line after the header is good: then the rows are a slice that shares
    the parsed columns instead of a gathered copy of them.
    """
    first, last = lines.first(), lines.last()
    assert isinstance(first, int) and isinstance(last, int)
    if last - first + 1 == lines.len():
        picked = parsed.slice(first - 1, lines.len())
    else:
        picked = parsed[lines - 1]
    return picked.insert_column(0, lines)


# --- XLSX --------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> RawTable:
    import fastexcel  # imported here: only XLSX input needs it

    try:
        reader = fastexcel.read_excel(path)
        if not reader.sheet_names:
            raise _unusable(path, "Excel-filen har inget blad.")
        # skip_rows=0 keeps leading empty rows, so row index + 1 is the Excel row number.
        sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
        frame = sheet.to_polars()
    except UnusableInputError:
        raise
    except Exception as exc:  # fastexcel raises its own error types for broken files
        raise _unusable(path, "den är ingen läsbar Excel-fil (.xlsx).") from exc
    if frame.width == 0:
        raise _unusable(path, "den är tom.")
    frame = frame.rename({old: column_name(i) for i, old in enumerate(frame.columns)})
    frame = frame.with_row_index(LINE, offset=1).with_columns(pl.col(LINE).cast(pl.Int64))
    cells = [column_name(i) for i in range(frame.width - 1)]
    frame = frame.with_columns(_excel_text(pl.col(c)) for c in cells)
    blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cells
    )
    frame = frame.filter(~blank)
    if frame.height == 0:
        raise _unusable(path, "den är tom.")
    header_row = frame.row(0, named=True)
    headers = ["" if header_row[c] is None else str(header_row[c]) for c in cells]
    # Trailing columns without a header hold nothing we can name: drop them when empty,
    # otherwise the row has more fields than the header (as in a ragged CSV).
    while headers and headers[-1].strip() == "":
        headers.pop()
    width = len(headers)
    body = frame.slice(1)
    extra = cells[width:]
    if extra:
        has_extra = pl.any_horizontal(pl.col(c).is_not_null() for c in extra)
        malformed = body.filter(has_extra).select(
            LINE,
            reason=pl.lit("raden har värden i kolumner utan rubrik"),
            cells=pl.concat_list(cells),
        )
        body = body.filter(~has_extra).drop(extra)
    else:
        malformed = pl.DataFrame(schema=MALFORMED_SCHEMA)
    return RawTable(path, "xlsx", None, None, headers, body, malformed)


def _excel_text(cell: pl.Expr) -> pl.Expr:
    """Excel dates arrive as 'YYYY-MM-DD 00:00:00': show them as the CSV would."""
    return cell.str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1").str.replace(
        r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):00$", "$1"
    )

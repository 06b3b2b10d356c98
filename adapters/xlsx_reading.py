"""An XLSX export into a raw table: the right sheet, within limits, every value as text.

A workbook may hold several sheets (a cover page, notes, the export). The sheet read is
the one named with ``--sheet``, else the only sheet, else the one sheet whose header row
fits a known layout; the others are reported as ignored. Before calamine (fastexcel)
reads anything, ``xlsx_limits`` checks every candidate sheet's size.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import polars as pl

from adapters.csv_records import LINE, column_name
from adapters.raw_table import MALFORMED_SCHEMA, RawTable, reject_control_characters
from adapters.source import ExportCopy, unusable
from adapters.xlsx_limits import SheetPart, check_shared_strings, check_sheet, sheets
from medrecon.errors import UnusableInputError

HeaderTest = Callable[[list[str]], bool]
_HEADER_SEARCH_ROWS = 200  # rows read from each sheet to find its header row


def read_xlsx(copy: ExportCopy, *, sheet: str | None, accepts: HeaderTest | None) -> RawTable:
    path = copy.path
    data = bytes(copy.view)
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        parts = sheets(path, book)
    except zipfile.BadZipFile as exc:
        raise unusable(path, "den är ingen läsbar Excel-fil (.xlsx).") from exc
    if not parts:
        raise unusable(path, "Excel-filen har inget blad.")
    names = ", ".join(f'"{p.name}"' for p in parts)
    if sheet is not None:
        named = [p for p in parts if p.name == sheet] or [
            p for p in parts if p.name.casefold() == sheet.casefold()
        ]
        if not named:
            raise unusable(path, f'arbetsboken har inget blad som heter "{sheet}" (blad: {names}).')
        candidates = named[:1]
    else:
        candidates = parts
    with book:
        check_shared_strings(path, book)
        for part in candidates:
            check_sheet(path, book, part)
    import fastexcel  # imported here: only XLSX input needs it

    try:
        reader = fastexcel.read_excel(data)
        chosen = (
            candidates[0] if len(candidates) == 1 else _choose(path, reader, candidates, accepts)
        )
        frame = _load(reader, chosen.name, None)
    except UnusableInputError:
        raise
    except Exception as exc:  # fastexcel raises its own error types for broken files
        raise unusable(path, "den är ingen läsbar Excel-fil (.xlsx).") from exc
    ignored = tuple(p.name for p in parts if p is not chosen)
    return _raw_table(copy, frame, chosen.name, ignored)


def _load(reader: object, name: str, rows: int | None) -> pl.DataFrame:
    # skip_rows=0 keeps leading empty rows, so row index + 1 is the Excel row number.
    sheet = reader.load_sheet(  # type: ignore[attr-defined]
        name, header_row=None, skip_rows=0, n_rows=rows, dtypes="string"
    )
    return sheet.to_polars()


def _first_row(frame: pl.DataFrame) -> list[str]:
    for row in frame.iter_rows():
        cells = ["" if v is None else str(v) for v in row]
        if any(c.strip() for c in cells):
            return cells
    return []


def _choose(
    path: object, reader: object, candidates: list[SheetPart], accepts: HeaderTest | None
) -> SheetPart:
    """The one sheet whose header row fits a known layout."""
    fitting = [
        part
        for part in candidates
        if (accepts or _any_header)(_first_row(_load(reader, part.name, _HEADER_SEARCH_ROWS)))
    ]
    names = ", ".join(f'"{p.name}"' for p in candidates)
    if len(fitting) == 1:
        return fitting[0]
    if not fitting:
        raise UnusableInputError(
            f"Filen {getattr(path, 'name', path)} kan inte användas: inget av bladen i "
            f"arbetsboken ({names}) har rubrikerna för en Cosmic- eller Pascal-export. Ange "
            "bladet med --sheet.",
            title="Inget exportblad",
        )
    shown = ", ".join(f'"{p.name}"' for p in fitting)
    raise UnusableInputError(
        f"Filen {getattr(path, 'name', path)} kan inte användas: flera blad ser ut som "
        f"exporter ({shown}). Ange vilket som ska läsas med --sheet.",
        title="Flera exportblad",
    )


def _any_header(cells: list[str]) -> bool:
    return any(c.strip() for c in cells)


def _raw_table(
    copy: ExportCopy, frame: pl.DataFrame, sheet: str | None, ignored: tuple[str, ...]
) -> RawTable:
    path = copy.path
    if frame.width == 0:
        raise unusable(path, "den är tom.")
    frame = frame.rename({old: column_name(i) for i, old in enumerate(frame.columns)})
    frame = frame.with_row_index(LINE, offset=1).with_columns(pl.col(LINE).cast(pl.Int64))
    cells = [column_name(i) for i in range(frame.width - 1)]
    frame = frame.with_columns(_excel_text(pl.col(c)) for c in cells)
    blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cells
    )
    frame = frame.filter(~blank)
    if frame.height == 0:
        raise unusable(path, "den är tom.")
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
    body, damaged = reject_control_characters(body, headers)
    malformed = pl.concat([malformed, damaged]).sort(LINE)
    return RawTable(
        path=path,
        file_type="xlsx",
        encoding=None,
        separator=None,
        headers=headers,
        rows=body,
        malformed=malformed,
        size=copy.size,
        sha256=copy.sha256(),
        sheet=sheet,
        ignored_sheets=ignored,
    )


def _excel_text(cell: pl.Expr) -> pl.Expr:
    """Excel dates arrive as 'YYYY-MM-DD 00:00:00': show them as the CSV would."""
    return cell.str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1").str.replace(
        r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):00$", "$1"
    )

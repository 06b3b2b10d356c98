"""Canonical lines written back out as a ``cosmic-v1`` or ``pascal-v1`` export.

Used by the round-trip property test, the synthetic generator and anyone who needs an
export file from a frame. What the layout cannot hold is lost (Pascal has no care unit,
Cosmic no time columns or NPL-id); everything it can hold reads back unchanged.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from adapters.cosmic import AS_NEEDED_TYPE, ORDER_TYPE_TEXT, STATUS_TEXT
from adapters.cosmic import DISPENSING_TEXT as COSMIC_DISPENSING
from adapters.pascal import DISPENSING_TEXT as PASCAL_DISPENSING
from adapters.pascal import TIME_COLUMNS
from medrecon.errors import MedreconError
from medrecon.files import atomic_private_path
from medrecon.schema import CANONICAL_SCHEMA, COSMIC, PASCAL

NULL_TEXT = pl.lit(None, dtype=pl.String)


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String)


def _date(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d")


def _timestamp(column: str) -> pl.Expr:
    value = pl.col(column)
    return (
        pl.when(value.dt.second() == 0)
        .then(value.dt.strftime("%Y-%m-%d %H:%M"))
        .otherwise(value.dt.strftime("%Y-%m-%d %H:%M:%S"))
    )


def _amount(column: str) -> pl.Expr:
    """Swedish decimal comma, no trailing ``,0``: 2.0 -> "2", 0.5 -> "0,5"."""
    return (
        pl.col(column).cast(pl.String).str.replace(r"\.0$", "").str.replace(".", ",", literal=True)
    )


def _coded(column: str, texts: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace_strict(texts, default=None, return_dtype=pl.String)


def _flag(column: str, yes: str, no: str) -> pl.Expr:
    value = pl.col(column)
    return pl.when(value).then(pl.lit(yes)).when(~value).then(pl.lit(no)).otherwise(NULL_TEXT)


def _cosmic_columns() -> list[pl.Expr]:
    dosing_type = pl.coalesce(_text("dosing_type"), _flag("as_needed", AS_NEEDED_TYPE, "Stående"))
    return [
        _text("patient_id").alias("Personnummer"),
        _text("patient_name").alias("Patient"),
        _text("care_unit").alias("Vårdenhet"),
        _text("line_id").alias("OrdinationsID"),
        _text("product_text").alias("Läkemedel"),
        _text("substance_text").alias("Substans"),
        _text("strength_text").alias("Styrka"),
        _text("form_text").alias("Läkemedelsform"),
        _text("route_text").alias("Administreringsväg"),
        _text("dosing_text").alias("Dosering"),
        dosing_type.alias("Doseringstyp"),
        _date("start_date").alias("Insättningsdatum"),
        _date("end_date").alias("Utsättningsdatum"),
        _coded("status", STATUS_TEXT).alias("Status"),
        _coded("order_type", ORDER_TYPE_TEXT).alias("Ordinationstyp"),
        _coded("dispensing", COSMIC_DISPENSING).alias("Dosdispenserad"),
        _text("atc").alias("ATC"),
        _text("prescriber").alias("Förskrivare"),
        _text("purpose").alias("Ändamål"),
        _timestamp("last_changed").alias("Senast ändrad"),
    ]


def _pascal_columns() -> list[pl.Expr]:
    return [
        _text("patient_id").alias("Personnummer"),
        _text("patient_name").alias("Namn"),
        _text("line_id").alias("ReceptID"),
        _text("product_text").alias("Förskrivet läkemedel"),
        _text("substance_text").alias("Verksamt ämne"),
        _text("strength_text").alias("Styrka"),
        _text("form_text").alias("Läkemedelsform"),
        _text("route_text").alias("Administreringssätt"),
        _text("dosing_text").alias("Användning"),
        *(_amount(column).alias(header) for header, column in TIME_COLUMNS.items()),
        _coded("dispensing", PASCAL_DISPENSING).alias("Dispensering"),
        _flag("as_needed", "Ja", "Nej").alias("Vid behov"),
        _date("start_date").alias("Insättningsdatum"),
        _date("valid_until").alias("Sista giltighetsdag"),
        _date("end_date").alias("Utsatt"),
        _text("prescriber").alias("Förskrivare"),
        _text("atc").alias("ATC"),
        _text("npl_id").alias("NPL-id"),
        _text("purpose").alias("Behandlingsorsak"),
        _timestamp("last_changed").alias("Ändrad"),
    ]


def export_frame(lines: pl.DataFrame, system: str) -> pl.DataFrame:
    """The export's columns, all text, headers as the layout names them."""
    builders = {COSMIC: _cosmic_columns, PASCAL: _pascal_columns}
    if system not in builders:
        raise MedreconError(f"Okänt system {system!r}: ange cosmic eller pascal.")
    # Columns the caller left out are empty in the export.
    missing = [
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in CANONICAL_SCHEMA.items()
        if name not in lines.columns
    ]
    return lines.with_columns(missing).select(builders[system]())


def write_export(
    lines: pl.DataFrame,
    system: str,
    path: Path,
    *,
    encoding: str = "utf-8",
    separator: str = ";",
) -> Path:
    """Write ``lines`` as an export file (XLSX when ``path`` ends in .xlsx, else CSV).

    ``encoding`` is ``utf-8``, ``utf-8-sig`` (with BOM) or ``cp1252``; the file is
    created readable by its owner only, as it holds patient data.
    """
    path = Path(path)
    frame = export_frame(lines, system)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(frame, path)
        return path
    text = frame.write_csv(separator=separator, quote_style="necessary", null_value="")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise MedreconError(
            f"Exporten kan inte skrivas med teckenkodningen {encoding}: tecknet "
            f"{exc.object[exc.start : exc.end]!r} finns inte i den.",
        ) from exc
    with atomic_private_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, not a formula
            cells.append(cell)
        sheet.append(cells)
    with atomic_private_path(path) as tmp:
        book.save(tmp)

"""The Excel report: sheets in reading order, written atomically and owner-only."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

import polars as pl
from openpyxl import Workbook

from medrecon.errors import MedreconError
from medrecon.files import atomic_private_files
from medrecon.ids import display_patient_ids
from medrecon.report.data import ReportData
from medrecon.report.overview import write_overview
from medrecon.report.summary import Figures, figures
from medrecon.report.tables import Column, RowProgress, write_table_sheet

log = logging.getLogger(__name__)

SHEETS = (
    "Sammanfattning",
    "Avvikelser",
    "Beslutade",
    "Inläsningsfel",
    "Ofullständigt inlästa",
    "Äldreindikatorer",
)

# Test hook: seconds to sleep once the big sheet has started, so a test can kill the
# process mid-write and check that yesterday's report is untouched.
PAUSE_ENV = "MEDRECON_TEST_PAUSE_WRITE"


def _patient_columns(pseudonymised: bool) -> list[Column]:
    if pseudonymised:
        return [Column("Patientnyckel", "patient_display", 15)]
    return [
        Column("Patient", "patient_name", 26),
        Column("Personnummer", "patient_display", 15),
    ]


def open_columns(pseudonymised: bool) -> list[Column]:
    return [
        Column("Enhet", "care_unit", 28),
        *_patient_columns(pseudonymised),
        Column("Substans", "substance", 20),
        Column("Typ", "kind_label", 26),
        Column("Allvarlighet", "severity_label", 13, style="severity"),
        Column("Cosmic-rad", "cosmic_line", 42),
        Column("Pascal-rad", "pascal_line", 42),
        Column("Förklaring", "explanation", 60),
        Column("Ledtråd", "hint", 50),
        Column("Ändrad i Cosmic", "cosmic_changed", 17, style="datetime"),
        Column("Ändrad i Pascal", "pascal_changed", 17, style="datetime"),
        Column("Först sedd", "first_seen_date", 12),
        Column("Dagar öppen", "days_open", 12),
        Column("Senaste beslut", "latest_decision", 40),
    ]


def decided_columns(pseudonymised: bool) -> list[Column]:
    cols = [
        Column("Enhet", "care_unit", 28),
        *_patient_columns(pseudonymised),
        Column("Substans", "substance", 20),
        Column("Typ", "kind_label", 26),
        Column("Allvarlighet", "severity_label", 13, style="severity"),
        Column("Beslut", "action_label", 36),
        Column("Beslutat av", "decided_by", 18),
        Column("Beslutat", "decided_at", 17, style="datetime"),
    ]
    if not pseudonymised:
        cols.append(Column("Kommentar", "comment", 50))
    cols.append(Column("Förklaring", "explanation", 60))
    return cols


REJECTED_COLUMNS = [
    Column("System", "source", 10),
    Column("Fil", "file", 30),
    Column("Rad", "line", 8),
    Column("Orsak", "reason", 80),
]


def incomplete_columns(pseudonymised: bool) -> list[Column]:
    return [
        Column("Enhet", "care_unit", 28),
        *_patient_columns(pseudonymised),
        Column("Varför listan kan sakna rader", "reason", 100),
    ]


def elderly_columns(pseudonymised: bool) -> list[Column]:
    return [
        Column("Enhet", "care_unit", 28),
        *_patient_columns(pseudonymised),
        Column("Indikator", "indicator", 80),
        Column("Kod", "code", 22),
    ]


def _with_display_id(frame: pl.DataFrame, pseudonymised: bool) -> pl.DataFrame:
    ids = pl.col("patient_id")
    return frame.with_columns(patient_display=ids if pseudonymised else display_patient_ids(ids))


def _pause_for_tests() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        log.info("Testpaus i rapportskrivningen (%s s).", seconds)
        time.sleep(float(seconds))


def build_workbook(
    data: ReportData, fig: Figures, target: Path | BinaryIO, progress: RowProgress | None = None
) -> None:
    """Write every sheet into ``target`` (a path or file the caller owns; not atomic)."""
    wb = Workbook(write_only=True)
    write_overview(wb, data, fig)
    pseudo = data.pseudonymised
    write_table_sheet(
        wb,
        "Avvikelser",
        "Avvikelser",
        open_columns(pseudo),
        _with_display_id(data.open, pseudo),
        severity_source="severity",
        progress=progress,
        before_rows=_pause_for_tests,
    )
    write_table_sheet(
        wb,
        "Beslutade",
        "Beslutade",
        decided_columns(pseudo),
        _with_display_id(data.decided.sort("decided_at", descending=True), pseudo),
        severity_source="severity",
        progress=progress,
    )
    write_table_sheet(
        wb, "Inläsningsfel", "Inlasningsfel", REJECTED_COLUMNS, data.rejected, progress=progress
    )
    write_table_sheet(
        wb,
        "Ofullständigt inlästa",
        "Ofullstandiga",
        incomplete_columns(pseudo),
        _with_display_id(data.incomplete, pseudo),
        progress=progress,
    )
    write_table_sheet(
        wb,
        "Äldreindikatorer",
        "Aldreindikatorer",
        elderly_columns(pseudo),
        _with_display_id(data.elderly, pseudo),
        progress=progress,
    )
    wb.save(target)


def report_rows(data: ReportData) -> int:
    """Rows the detail sheets will hold (for a progress bar's total)."""
    return (
        data.open.height
        + data.decided.height
        + data.rejected.height
        + data.incomplete.height
        + data.elderly.height
    )


def _check_out(out: Path) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise MedreconError(f"Rapportfilen måste sluta på .xlsx: {out}")
    if out.is_dir():
        raise MedreconError(f"{out} är en mapp; ange en fil, till exempel {out / 'rapport.xlsx'}")
    return out


def write_reports(
    reports: Sequence[tuple[ReportData, Path]],
    *,
    progress: RowProgress | None = None,
    on_start: Callable[[int, ReportData], None] | None = None,
) -> list[Figures]:
    """Write several reports of one run; they replace their files together.

    Each workbook is written to a file without a name (owner-only) and all of them
    replace their targets only when every one is complete: a crash or a kill leaves the
    previous reports as they were, never a new main report beside an old pseudonymised
    one, and no temporary file with patient data behind (``files.atomic_private_files``).
    ``on_start(index, data)`` is called before each workbook is written.
    """
    targets = [_check_out(out) for _, out in reports]
    figs = [figures(data) for data, _ in reports]
    try:
        with atomic_private_files(targets) as spools:
            for index, ((data, _), fig, spool) in enumerate(
                zip(reports, figs, spools, strict=True)
            ):
                if on_start is not None:
                    on_start(index, data)
                build_workbook(data, fig, spool, progress)
    except PermissionError as exc:
        raise MedreconError(
            f"Rapporten kunde inte skrivas till {targets[0].parent}: behörighet saknas.",
            exit_code=1,
        ) from exc
    return figs


def write_report(
    data: ReportData,
    out: Path,
    *,
    progress: RowProgress | None = None,
    on_figures: Callable[[Figures], None] | None = None,
) -> Figures:
    """Write one report to ``out`` atomically (owner-only); returns the summary figures."""
    out = _check_out(out)
    if on_figures is not None:
        on_figures(figures(data))
    return write_reports([(data, out)], progress=progress)[0]

"""The nightly run: read the exports, reconcile, record the run, write the report.

Order matters: the run is recorded in the store before the report is written, because
the report shows what the store knows (first seen, new tonight, decisions carried from
earlier nights). The report itself replaces yesterday's file atomically, so a night
that fails half-way leaves yesterday's report readable.

Nothing here logs a name or a personnummer: only counts, stage names and file names
(and logsetup masks anything id-shaped in those as well).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl

from adapters.folders import EXPORT_SUFFIXES, find_exports
from adapters.source import not_a_regular_file
from medrecon.errors import MedreconError, UnusableInputError
from medrecon.labels import SEVERITY_LABEL, SEVERITY_RANK
from medrecon.model import Reconciliation
from medrecon.report import (
    KEY_FILE_NAME,
    Figures,
    Pseudonymiser,
    ReportData,
    RunFacts,
    build_report_data,
    write_reports,
)
from medrecon.report.data import local_times, pseudonymise
from medrecon.report.workbook import report_rows

log = logging.getLogger("medrecon.batch")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_UNUSABLE_INPUT = 2
EXIT_FINDINGS_AT_OR_ABOVE = 4
TREND_RUNS = 30
STALE_TEMP_SECONDS = 6 * 3600  # a temporary report file this old is from a killed run


class Progress(Protocol):
    """What the batch tells the face about its progress (a bar, or log lines)."""

    def stage(self, description: str, total: int | None = None) -> None: ...

    def advance(self, rows: int) -> None: ...

    def finish(self) -> None: ...


class LogProgress:
    """Plain log lines for cron: one per stage, and a few while the report is written."""

    def __init__(self, every_share: float = 0.25) -> None:
        self._total: int | None = None
        self._done = 0
        self._next_log = 0
        self._every = every_share

    def stage(self, description: str, total: int | None = None) -> None:
        log.info("%s …", description)
        self._total, self._done = total, 0
        self._next_log = int(total * self._every) if total else 0

    def advance(self, rows: int) -> None:
        self._done += rows
        if self._total and self._done >= self._next_log > 0:
            log.info("  %d av %d rader skrivna", self._done, self._total)
            self._next_log += max(1, int(self._total * self._every))

    def finish(self) -> None:
        return None


@dataclass
class BatchOptions:
    cosmic: list[Path]
    pascal: list[Path]
    out: Path
    db: Path | str | None = None  # a file or a database URL; None: the configured store
    mapping: Path | None = None
    pseudonymise: bool = False
    key_file: Path | None = None  # default: pseudonym.key beside the store
    fail_on: str | None = None  # "low" | "medium" | "high"
    # A second, pseudonymised report of the same run (for wider distribution).
    pseudonymised_out: Path | None = None
    as_of: dt.date | None = None  # the reference date (--as-of); None: today
    sheet: str | None = None  # the sheet to read in XLSX exports (default: the export sheet)


@dataclass
class BatchResult:
    run_id: int | None
    report: Path
    figures: Figures
    exit_code: int
    open_at_or_above: int  # open findings at or above --fail-on (0 without it)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


def export_files(paths: Iterable[Path], system_label: str) -> list[Path]:
    """The export files and folders named on the command line, checked before the long
    work: each must exist and be a regular file or a folder holding export files."""
    given = [Path(p) for p in paths]
    if not given:
        raise UnusableInputError(f"Ingen exportfil för {system_label} angavs.")
    for path in given:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise UnusableInputError(f"Exportfilen för {system_label} finns inte: {path}") from exc
        what = not_a_regular_file(mode)
        if what is not None and not path.is_dir():
            raise UnusableInputError(
                f"Exportfilen för {system_label} kan inte användas: {path} är {what}."
            )
        if path.is_dir():
            try:
                find_exports([path])
            except UnusableInputError as exc:
                raise UnusableInputError(
                    f"Mappen {path} innehåller inga exportfiler för {system_label} "
                    f"({', '.join(EXPORT_SUFFIXES)}). {exc.message}"
                ) from exc
    return given


def check_output_path(out: Path) -> None:
    """Fail before the long work when the report could never be written."""
    if out.suffix.lower() != ".xlsx":
        raise MedreconError(f"Rapportfilen måste sluta på .xlsx: {out}")
    if out.is_dir():
        raise MedreconError(f"{out} är en mapp; ange en fil, till exempel {out / 'rapport.xlsx'}")


def remove_stale_temp_files(out: Path, *, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Delete temporary report files that a killed run left beside ``out``."""
    removed = 0
    if not out.parent.is_dir():
        return 0
    cutoff = time.time() - older_than
    for tmp in out.parent.glob(f".{out.name}.*.tmp"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed += 1
        except OSError:
            continue
    if removed:
        log.warning("Tog bort %d halvskrivna rapportfiler från en avbruten körning.", removed)
    return removed


def open_at_or_above(findings: pl.DataFrame, severity: str) -> int:
    threshold = SEVERITY_RANK[severity]
    ranks = findings["severity"].replace_strict(SEVERITY_RANK, default=0, return_dtype=pl.Int64)
    return int((ranks >= threshold).sum())


def _reconcile(
    cosmic: list[Path],
    pascal: list[Path],
    mapping: Path | None,
    as_of: dt.date | None,
    sheet: str | None = None,
) -> Reconciliation:
    from medrecon.engine import reconcile_files  # imported late: the engine is heavy

    return reconcile_files(cosmic, pascal, mapping=mapping, as_of=as_of, sheet=sheet)


def _log_reconciliation(recon: Reconciliation) -> None:
    for report in recon.files:
        log.info(
            "Läste %s: %d rader, %d avvisade, SHA-256 %s.",
            report.path.name,
            report.rows,
            report.rows_rejected,
            report.sha256,
        )
    for left_out in recon.skipped_files:
        log.warning("Läste inte %s: %s.", left_out.name, left_out.reason)
    log.info(
        "%d patienter, %d läkemedelsrader, %d avvikelser, %d rader kunde inte läsas.",
        recon.patients.height,
        recon.lines.height,
        recon.findings.height,
        recon.rejected.height,
    )


def _pseudonymiser(options: BatchOptions, db_path: Path | None) -> Pseudonymiser:
    key_file = options.key_file
    if key_file is None:
        if db_path is None:
            raise MedreconError(
                "Ange --pseudonym-key: beslutsdatabasen är en databasserver, så nyckeln kan "
                "inte ligga bredvid den."
            )
        key_file = db_path.parent / KEY_FILE_NAME
    return Pseudonymiser.from_key_file(key_file)


def run_batch(options: BatchOptions, progress: Progress | None = None) -> BatchResult:
    """One nightly run; raises ``MedreconError`` (Swedish) for input the user can fix."""
    from medrecon.store import Store  # the store pulls in SQLAlchemy and Alembic

    progress = progress or LogProgress()
    timings: dict[str, float] = {}
    if options.fail_on is not None and options.fail_on not in SEVERITY_RANK:
        raise MedreconError(f"Okänd allvarlighetsgrad för --fail-on: {options.fail_on}")
    check_output_path(options.out)
    if options.pseudonymised_out is not None:
        check_output_path(options.pseudonymised_out)
        if options.pseudonymised_out.resolve() == options.out.resolve():
            raise MedreconError("--out och den pseudonymiserade rapporten måste vara olika filer.")
    cosmic = export_files(options.cosmic, "Cosmic")
    pascal = export_files(options.pascal, "Pascal")
    log.info(
        "Nattkörning startar: %d Cosmic-filer, %d Pascal-filer, rapport till %s",
        len(cosmic),
        len(pascal),
        options.out,
    )

    started = time.perf_counter()
    progress.stage("Läser in exporterna och stämmer av")
    recon = _reconcile(cosmic, pascal, options.mapping, options.as_of, options.sheet)
    timings["load_engine"] = time.perf_counter() - started
    _log_reconciliation(recon)

    mark = time.perf_counter()
    progress.stage("Sparar körningen i beslutsdatabasen")
    with Store.open(options.db) as store:
        # The files read, with the size and hash of exactly the bytes reconciled.
        summary = store.record_run(recon, inputs=[r.path for r in recon.files], kind="batch")
        states = store.finding_states(recon.findings.select("id", "lineage"))
        statuses = store.patient_statuses(recon.findings.select("id", "patient_id"))
        runs = store.runs(limit=TREND_RUNS * 4)
        db_path = store.path
    if "kind" in runs.columns:
        runs = runs.filter(pl.col("kind") == "batch")
    runs = runs.tail(TREND_RUNS)
    timings["store"] = time.perf_counter() - mark
    log.info(
        "Körning %d sparad: %d nya, %d lösta sedan förra körningen, %d beslut följer med.",
        summary.run_id,
        len(summary.new_ids),
        len(summary.gone_ids),
        len(summary.carried_ids),
    )

    mark = time.perf_counter()
    run_at = local_times(pl.Series([summary.started_at]))[0] or dt.datetime.now()
    facts = RunFacts(
        run_at=run_at,
        new_ids=frozenset(summary.new_ids),
        resolved_count=len(summary.gone_ids),
        run_id=summary.run_id,
        input_names=tuple(r.path.name for r in recon.files),
    )
    pseudonymiser = (
        _pseudonymiser(options, db_path)
        if options.pseudonymise or options.pseudonymised_out is not None
        else None
    )
    data = build_report_data(
        recon,
        facts,
        states=states,
        statuses=statuses,
        runs=runs,
        pseudonymiser=pseudonymiser if options.pseudonymise else None,
    )
    reports = [(data, options.out)]
    if options.pseudonymised_out is not None and pseudonymiser is not None:
        extra = pseudonymise(data, pseudonymiser) if not data.pseudonymised else data
        reports.append((extra, options.pseudonymised_out))
    for _, out in reports:
        remove_stale_temp_files(out)
    titles = ("Skriver rapporten", "Skriver den pseudonymiserade rapporten")

    def announce(index: int, written: ReportData) -> None:
        progress.stage(titles[min(index, 1)], total=report_rows(written))

    # Both reports replace their files together: always the same run's.
    fig = write_reports(reports, progress=progress.advance, on_start=announce)[0]
    progress.finish()
    timings["excel"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started

    log.info(
        "Rapporten är skriven: %d öppna avvikelser (%s), %d beslutade. Tid %.1f s.",
        fig.open_total,
        ", ".join(f"{SEVERITY_LABEL[s].lower()} {n}" for s, n in fig.open_by_severity.items()),
        fig.decided,
        timings["total"],
    )
    exit_code, above = EXIT_OK, 0
    if options.fail_on is not None:
        above = open_at_or_above(data.open, options.fail_on)
        if above:
            exit_code = EXIT_FINDINGS_AT_OR_ABOVE
            log.warning(
                "%d öppna avvikelser med allvarlighet %s eller högre (--fail-on): slutkod %d.",
                above,
                SEVERITY_LABEL[options.fail_on].lower(),
                exit_code,
            )
    return BatchResult(
        run_id=summary.run_id,
        report=options.out,
        figures=fig,
        exit_code=exit_code,
        open_at_or_above=above,
        timings=timings,
    )

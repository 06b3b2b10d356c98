"""From export files to one ``LoadResult``: canonical lines plus every rejected row.

Each file is read (``reading``), its headers matched (``headers``), and its cells turned
into canonical columns (``staging``), one file at a time so that a region's exports
never hold the raw and the staged copy of every file at once. A row with any problem is
rejected with every reason joined; nothing is silently dropped: data rows = loaded
lines + rejected rows. Files of a named folder that are not read are listed in
``LoadResult.skipped_files`` with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from adapters.folders import EXPORT_SUFFIXES, expand_paths, find_exports
from adapters.headers import LAYOUTS, Aliases, HeaderMatch, detect_layout, layout_of, load_mapping
from adapters.headers import match_headers as _match_headers
from adapters.raw_table import RawTable
from adapters.reading import read_table
from adapters.staging import ORDER, REASON, mark_duplicates, stage_file
from medrecon.errors import MedreconError, UnusableInputError
from medrecon.model import FileReport, LoadResult, SkippedFile
from medrecon.schema import CANONICAL_SCHEMA, REJECTED_SCHEMA, SYSTEM_LABEL, SYSTEMS

__all__ = [
    "EXPORT_SUFFIXES",
    "detect_system",
    "expand_paths",
    "load_export",
    "load_exports",
    "open_export",
]


def _check_system(system: str | None) -> None:
    if system is not None and system not in SYSTEMS:
        raise MedreconError(f"Okänt system {system!r}: ange cosmic eller pascal.")


def open_export(
    path: Path, system: str | None, aliases: Aliases, *, sheet: str | None = None
) -> tuple[RawTable, HeaderMatch]:
    """Read one file and match its headers to its (given or detected) system's layout."""
    raw = read_table(
        path, sheet=sheet, accepts=lambda headers: layout_of(headers, aliases, system) is not None
    )
    layout = LAYOUTS[system] if system else detect_layout(raw.headers, aliases, path=raw.path)
    return raw, _match_headers(raw.headers, layout, aliases, path=raw.path)


def detect_system(path: str | Path, mapping: Path | None = None) -> str:
    """``"cosmic"`` or ``"pascal"``, from the file's headers."""
    aliases = load_mapping(mapping)
    raw = read_table(Path(path), accepts=lambda headers: layout_of(headers, aliases) is not None)
    return detect_layout(raw.headers, aliases, path=raw.path).system


@dataclasses.dataclass(frozen=True)
class _OpenedFile:
    raw: RawTable  # without its rows (released once staged)
    match: HeaderMatch
    malformed: int


def load_exports(
    paths: Sequence[str | Path] | str | Path,
    system: str | None = None,
    mapping: Path | None = None,
    *,
    sheet: str | None = None,
) -> LoadResult:
    """Load the export files of one system into canonical lines and rejected rows.

    ``sheet`` names the sheet to read in XLSX workbooks (default: the sheet whose header
    fits a layout).
    """
    _check_system(system)
    aliases = load_mapping(mapping)
    found = find_exports(paths)
    files: list[_OpenedFile] = []
    staged_parts: list[pl.DataFrame] = []
    malformed_parts: list[pl.DataFrame] = []
    skipped: list[SkippedFile] = list(found.skipped)
    for path, from_folder in found.files:
        # A folder's files are recognised by their headers: one drop folder often holds
        # both systems' exports, and the other system's files are skipped (and said so).
        raw, match = open_export(path, None if from_folder else system, aliases, sheet=sheet)
        if system is not None and match.layout.system != system:
            label = SYSTEM_LABEL[match.layout.system]
            skipped.append(SkippedFile(path, f"det är en {label}-export"))
            continue
        staged, malformed = stage_file(raw, match, len(files))
        staged_parts.append(staged)
        malformed_parts.append(malformed)
        files.append(
            _OpenedFile(dataclasses.replace(raw, rows=raw.rows.clear()), match, malformed.height)
        )
        del raw, staged
    skipped.sort(key=lambda s: str(s.path))  # the faces list them (check, reconcile, batch)
    if not files:
        assert system is not None  # only a given system can skip every file
        names = ", ".join(s.name for s in skipped)
        raise UnusableInputError(
            f"Ingen {SYSTEM_LABEL[system]}-export hittades, bara filer från det andra "
            f"systemet: {names}.",
            title="Inga filer",
        )
    _refuse_mixed_systems(files)
    layout = files[0].match.layout
    staged = pl.concat(staged_parts, how="vertical")
    del staged_parts
    staged = mark_duplicates(staged, layout.id_field)
    reports = _reports(files, staged)
    has_reason = pl.col(REASON).is_not_null()
    rejected = (
        pl.concat(
            [
                staged.filter(has_reason).select(
                    *(c for c in REJECTED_SCHEMA if c != "reason"),
                    pl.col(REASON).alias("reason"),
                    ORDER,
                ),
                *malformed_parts,
            ],
            how="vertical",
        )
        .sort(ORDER, "line")
        .select(pl.col(c).cast(t) for c, t in REJECTED_SCHEMA.items())
    )
    if rejected.height > sum(m.height for m in malformed_parts):
        staged = staged.filter(~has_reason)  # only then: filtering copies every column
    # One chunk per column: later steps add columns of one chunk, and polars copies a
    # whole frame whose columns are chunked differently before it can work on it.
    lines = staged.select(pl.col(c).cast(t) for c, t in CANONICAL_SCHEMA.items()).rechunk()
    return LoadResult(lines=lines, rejected=rejected, files=reports, skipped_files=skipped)


def _refuse_mixed_systems(files: list[_OpenedFile]) -> None:
    systems = {f.match.layout.system for f in files}
    if len(systems) > 1:
        listed = ", ".join(
            f"{f.raw.path.name} ({SYSTEM_LABEL[f.match.layout.system]})" for f in files
        )
        raise MedreconError(
            f"Filerna kommer från olika system: {listed}. Läs in Cosmic- och Pascal-filer var "
            "för sig.",
            title="Blandade filer",
        )


def _counts(staged: pl.DataFrame) -> dict[int, dict[str, int]]:
    """Per file (by index): data rows staged, rows loaded, patients loaded."""
    reasons = staged.get_column(REASON)
    orders = staged.get_column(ORDER)
    if reasons.null_count() == staged.height and orders.n_unique() <= 1:
        # Every row loaded from one file (the usual night): no grouping needed.
        order = int(orders[0]) if staged.height else 0
        patients = staged.get_column("patient_id").n_unique()
        return {order: {"total": staged.height, "loaded": staged.height, "patients": patients}}
    loaded = pl.col(REASON).is_null()
    counts = staged.group_by(ORDER).agg(
        total=pl.len(),
        loaded=loaded.sum(),
        patients=pl.col("patient_id").filter(loaded).n_unique(),
    )
    return {int(row.pop(ORDER)): row for row in counts.iter_rows(named=True)}


def _reports(files: list[_OpenedFile], staged: pl.DataFrame) -> list[FileReport]:
    by_order = _counts(staged)
    reports = []
    for order, opened in enumerate(files):
        raw, match = opened.raw, opened.match
        found = by_order.get(order, {"total": 0, "loaded": 0, "patients": 0})
        reports.append(
            FileReport(
                path=raw.path,
                system=match.layout.system,
                layout=match.layout.name,
                file_type=raw.file_type,
                encoding=raw.encoding,
                separator=raw.separator,
                rows=int(found["total"]) + opened.malformed,
                lines_loaded=int(found["loaded"]),
                rows_rejected=int(found["total"] - found["loaded"]) + opened.malformed,
                patients=int(found["patients"]),
                header_mapping=dict(match.mapping),
                ignored_columns=match.ignored,
                size=raw.size,
                sha256=raw.sha256,
                sheet=raw.sheet,
                ignored_sheets=raw.ignored_sheets,
            )
        )
    return reports


def load_export(
    path: str | Path,
    system: str | None = None,
    mapping: Path | None = None,
    *,
    sheet: str | None = None,
) -> LoadResult:
    """``load_exports`` for a single file."""
    return load_exports([path], system=system, mapping=mapping, sheet=sheet)

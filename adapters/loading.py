"""From export files to one ``LoadResult``: canonical lines plus every rejected row.

Each file is read (``reading``), its headers matched (``headers``), and its cells turned
into canonical columns by the system's module (``cosmic``/``pascal``), all as polars
expressions over the whole file. A row with any problem is rejected with every reason
joined; nothing is silently dropped: data rows = loaded lines + rejected rows.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from adapters import cosmic, pascal
from adapters.convert import NULL_TEXT, cell, clean
from adapters.headers import LAYOUTS, Aliases, HeaderMatch, detect_layout, load_mapping
from adapters.headers import match_headers as _match_headers
from adapters.reading import LINE, RawTable, column_name, read_table
from medrecon.errors import MedreconError, UnusableInputError
from medrecon.ids import normalise_patient_ids
from medrecon.model import FileReport, LoadResult
from medrecon.schema import CANONICAL_SCHEMA, COSMIC, PASCAL, REJECTED_SCHEMA, SYSTEM_LABEL, SYSTEMS

log = logging.getLogger("medrecon.adapters")

EXPORT_SUFFIXES = (".csv", ".txt", ".xlsx")
ColumnBuilder = Callable[..., tuple[list[pl.Expr], list[pl.Expr]]]
_BUILDERS: dict[str, ColumnBuilder] = {
    COSMIC: cosmic.canonical_columns,
    PASCAL: pascal.canonical_columns,
}
_REASON = "_reason"
STAGE_ROWS = 250_000  # rows of a file converted at once
_ORDER = "_file_index"


def expand_paths(paths: Sequence[str | Path] | str | Path) -> list[Path]:
    """Files named directly, plus every export file in a named folder (sorted by name)."""
    if isinstance(paths, str | Path):
        paths = [paths]
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in EXPORT_SUFFIXES
                and not p.name.startswith((".", "~$"))  # hidden files, Excel lock files
            )
            if not found:
                raise UnusableInputError(
                    f"Mappen {path} innehåller inga exportfiler (.csv, .txt eller .xlsx).",
                    title="Inga filer",
                )
            files.extend(found)
        else:
            files.append(path)
    if not files:
        raise MedreconError("Ingen exportfil angavs.", title="Inga filer")
    return files


def _export_files(paths: Sequence[str | Path] | str | Path) -> list[tuple[Path, bool]]:
    """``expand_paths`` with, for each file, whether it was found in a named folder."""
    if isinstance(paths, str | Path):
        paths = [paths]
    found = [(path, Path(given).is_dir()) for given in paths for path in expand_paths(given)]
    if not found:
        raise MedreconError("Ingen exportfil angavs.", title="Inga filer")
    return found


def _check_system(system: str | None) -> None:
    if system is not None and system not in SYSTEMS:
        raise MedreconError(f"Okänt system {system!r}: ange cosmic eller pascal.")


def open_export(path: Path, system: str | None, aliases: Aliases) -> tuple[RawTable, HeaderMatch]:
    """Read one file and match its headers to its (given or detected) system's layout."""
    raw = read_table(path)
    layout = LAYOUTS[system] if system else detect_layout(raw.headers, aliases, path=raw.path)
    return raw, _match_headers(raw.headers, layout, aliases, path=raw.path)


def detect_system(path: str | Path, mapping: Path | None = None) -> str:
    """``"cosmic"`` or ``"pascal"``, from the file's headers."""
    raw = read_table(Path(path))
    return detect_layout(raw.headers, load_mapping(mapping), path=raw.path).system


def _join_reasons(reasons: list[pl.Expr]) -> pl.Expr:
    """All reasons of a row joined by "; ", null when there are none."""
    joined = pl.concat_str(reasons, separator="; ", ignore_nulls=True)
    return pl.when(joined == "").then(NULL_TEXT).otherwise(joined)


def _stage(raw: RawTable, match: HeaderMatch, order: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Canonical columns with a reason per row (null = fine), and the malformed rows."""
    layout = match.layout

    def values(rows: pl.DataFrame) -> pl.LazyFrame:
        return rows.lazy().select(
            pl.col(LINE).alias("line"),
            *(clean(column_name(i)).alias(field) for field, i in match.columns.items()),
            *(NULL_TEXT.alias(f) for f in layout.fields if f not in match.columns),
        )

    columns, problems = _BUILDERS[layout.system](match.mapping)
    product_field = layout.required[2]
    header = match.mapping
    missing_line_id = pl.when(cell(layout.id_field).is_null()).then(
        pl.lit(f'rad-id saknas (kolumnen "{header[layout.id_field]}" är tom)')
    )
    missing_product = pl.when(cell(product_field).is_null()).then(
        pl.lit(f'läkemedel saknas (kolumnen "{header[product_field]}" är tom)')
    )
    selected = [
        pl.lit(layout.system).alias("source"),
        pl.lit(raw.path.name).alias("file"),
        pl.col("line"),
        pl.col("_ids").struct.field("patient_id"),
        # the id as written, kept only where it could not be read (for the engine's
        # "which patient is this row about" check; see REJECTED_SCHEMA)
        pl.when(pl.col("_ids").struct.field("patient_id").is_null())
        .then(pl.col("Personnummer"))
        .alias("raw_patient_id"),
        *columns,
        _join_reasons(
            [pl.col("_ids").struct.field("reason"), missing_line_id, missing_product, *problems]
        ).alias(_REASON),
        pl.lit(order).alias(_ORDER),
    ]
    # In slices of rows: the query's intermediate columns then exist for one slice at a
    # time, not for the whole file (they took more memory than the result itself).
    staged = pl.concat(
        [
            values(raw.rows.slice(start, STAGE_ROWS))
            .with_columns(_ids=normalise_patient_ids(pl.col("Personnummer")))
            .select(selected)
            .collect()
            for start in range(0, max(raw.rows.height, 1), STAGE_ROWS)
        ],
        how="vertical",
    )
    id_index = match.columns["Personnummer"]
    malformed = raw.malformed.with_columns(
        _ids=normalise_patient_ids(pl.col("cells").list.get(id_index, null_on_oob=True))
    ).select(
        pl.lit(layout.system).alias("source"),
        pl.lit(raw.path.name).alias("file"),
        pl.col(LINE).alias("line"),
        pl.col("_ids").struct.field("patient_id"),
        pl.lit(None, pl.String).alias("raw_patient_id"),
        pl.lit(None, pl.String).alias("patient_name"),
        pl.lit(None, pl.String).alias("care_unit"),
        pl.col("reason"),
        pl.lit(order).alias(_ORDER),
    )
    return staged, malformed


def _duplicate_reason(id_field: str) -> pl.Expr:
    """A line id seen before in this system's files: the later row names the earlier one."""
    first_line = pl.col("line").first().over("line_id")
    first_file = pl.col("file").first().over("line_id")
    seen_before = pl.col("line_id").is_not_null() & (pl.int_range(pl.len()).over("line_id") > 0)
    where = (
        pl.when(first_file != pl.col("file")).then(pl.lit(" i ") + first_file).otherwise(pl.lit(""))
    )
    message = pl.concat_str(
        [
            pl.lit(f"{id_field} "),
            pl.col("line_id"),
            pl.lit(" finns redan på rad "),
            first_line.cast(pl.String),
            where,
        ]
    )
    return pl.when(seen_before).then(message).otherwise(NULL_TEXT)


def load_exports(
    paths: Sequence[str | Path] | str | Path,
    system: str | None = None,
    mapping: Path | None = None,
) -> LoadResult:
    """Load the export files of one system into canonical lines and rejected rows."""
    _check_system(system)
    aliases = load_mapping(mapping)
    # One file at a time: its raw cells are released as soon as its canonical columns are
    # built, so a region's exports never hold the raw and the staged copy of every file.
    files: list[_OpenedFile] = []
    parts: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    skipped: list[Path] = []
    for order, (path, from_folder) in enumerate(_export_files(paths)):
        # A folder's files are recognised by their headers: one drop folder often holds
        # both systems' exports, and the other system's files are skipped (and said so).
        raw, match = open_export(path, None if from_folder else system, aliases)
        if system is not None and match.layout.system != system:
            skipped.append(path)
            log.info("Hoppar över %s: det är en %s-export.", path.name, match.layout.system)
            del raw
            continue
        parts.append(_stage(raw, match, order))
        files.append(
            _OpenedFile(dataclasses.replace(raw, rows=raw.rows.clear()), match, raw.row_count)
        )
        del raw
    if not files:
        assert system is not None  # only a given system can skip every file
        names = ", ".join(p.name for p in skipped)
        raise UnusableInputError(
            f"Ingen {SYSTEM_LABEL[system]}-export hittades, bara filer från det andra "
            f"systemet: {names}.",
            title="Inga filer",
        )
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
    layout = files[0].match.layout
    malformed_parts = [p[1] for p in parts]
    staged = pl.concat([p[0] for p in parts], how="vertical")
    del parts
    staged = staged.with_columns(
        _join_reasons([pl.col(_REASON), _duplicate_reason(layout.id_field)]).alias(_REASON)
    )
    reports = _reports(files, staged, malformed_parts)
    loaded = pl.col(_REASON).is_null()
    rejected = (
        pl.concat(
            [
                staged.filter(~loaded).select(
                    *(c for c in REJECTED_SCHEMA if c != "reason"),
                    pl.col(_REASON).alias("reason"),
                    _ORDER,
                ),
                *malformed_parts,
            ],
            how="vertical",
        )
        .sort(_ORDER, "line")
        .select(pl.col(c).cast(t) for c, t in REJECTED_SCHEMA.items())
    )
    if staged.select(pl.col(_REASON).is_not_null().any()).item():
        staged = staged.filter(loaded)  # only then: filtering copies every column
    # One chunk per column: later steps add columns of one chunk, and polars copies a
    # whole frame whose columns are chunked differently before it can work on it.
    lines = staged.select(pl.col(c).cast(t) for c, t in CANONICAL_SCHEMA.items()).rechunk()
    return LoadResult(lines=lines, rejected=rejected, files=reports, skipped_files=skipped)


@dataclasses.dataclass(frozen=True)
class _OpenedFile:
    raw: RawTable  # without its rows (released once staged)
    match: HeaderMatch
    row_count: int


def _reports(
    files: list[_OpenedFile], staged: pl.DataFrame, malformed: list[pl.DataFrame]
) -> list[FileReport]:
    loaded = pl.col(_REASON).is_null()
    counts = staged.group_by(_ORDER).agg(
        total=pl.len(),
        loaded=loaded.sum(),
        patients=pl.col("patient_id").filter(loaded).n_unique(),
    )
    by_order = {row[_ORDER]: row for row in counts.iter_rows(named=True)}
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
                rows=opened.row_count,
                lines_loaded=int(found["loaded"]),
                rows_rejected=int(found["total"] - found["loaded"]) + malformed[order].height,
                patients=int(found["patients"]),
                header_mapping=dict(match.mapping),
                ignored_columns=match.ignored,
            )
        )
    return reports


def load_export(
    path: str | Path, system: str | None = None, mapping: Path | None = None
) -> LoadResult:
    """``load_exports`` for a single file."""
    return load_exports([path], system=system, mapping=mapping)

"""``reconcile``: two systems' lines in, every pair and every finding out.

Steps, each over all patients at once: stack and resolve both systems' lines, pair them
(``pairing``), judge pairs and unpaired lines (``judging``), then give each finding its
substance, severity, Swedish explanation and fingerprint.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from medrecon.engine.clinical_rules import Rules
from medrecon.engine.codes import matching_rows
from medrecon.engine.fingerprint import with_fingerprints
from medrecon.engine.hints import last_change, with_hints
from medrecon.engine.inputs import (
    RESOLVED_SCHEMA,
    resolve_both,
    unpack,
    with_content,
    with_derived,
)
from medrecon.engine.judging import judge_pairs, judge_unpaired
from medrecon.engine.pairing import pair_lines
from medrecon.engine.patients import patient_table
from medrecon.engine.sentences import summary, with_display_columns, with_explanations
from medrecon.engine.sides import DISPLAY_COLUMNS, with_sides
from medrecon.errors import UnusableInputError
from medrecon.labels import SEVERITY_RANK
from medrecon.model import LoadResult, Reconciliation
from medrecon.schema import (
    CANONICAL_SCHEMA,
    COSMIC,
    FINDING_EXTRA_SCHEMA,
    FINDING_SCHEMA,
    KINDS,
    MATCH_SCHEMA,
    PASCAL,
    REJECTED_SCHEMA,
    SYSTEM_LABEL,
)

# Lines per slice of patients judged at once (bounds the engine's working memory).
SLICE_LINES = 50_000
FINDING_COLUMNS: dict[str, pl.DataType] = {**FINDING_SCHEMA, **FINDING_EXTRA_SCHEMA}
# What explanations, summaries and fingerprints of findings are built from (the display
# columns that line_pieces.with_display_columns adds are skipped when not yet there).
_SHOWN_COLUMNS = list(
    dict.fromkeys(
        [
            *CANONICAL_SCHEMA,
            *DISPLAY_COLUMNS,
            "_row",
            "_id_rank",
            "_ended",
            "_high_risk",
            "_dosing_key",
            "_prn",
            "strength_unit",
            "dose_unit",
        ]
    )
)
_ESCALATE = {"low": "medium", "medium": "high", "high": "high"}


def _pair_substance(column: str, display: str | None = None) -> pl.Expr:
    """A pair's or finding's substance (or ATC): the combination side names it."""
    c, p = pl.col("c_" + column), pl.col("p_" + column)
    fallback = [c, p] + ([pl.col("c_" + display), pl.col("p_" + display)] if display else [])
    return (
        pl.when(pl.col("mechanism") == "combination")
        .then(pl.when(pl.col("c_n") == 1).then(c).otherwise(p))
        .otherwise(pl.coalesce(fallback))
    )


def _findings(raw: pl.DataFrame, lines: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    # Display text and content strings only for the lines that findings are about.
    involved = pl.concat([raw.select(_row="c_rows"), raw.select(_row="p_rows")])
    involved = involved.explode("_row", empty_as_null=False).unique()
    columns = [c for c in _SHOWN_COLUMNS if c in lines.columns]
    subset = lines.select(columns).filter(pl.col("_row").is_in(involved["_row"].implode()))
    shown = with_content(with_display_columns(subset)).with_columns(_changed=last_change())
    wide = with_sides(raw.with_row_index("_f"), "_f", shown)
    substance = (
        pl.when(pl.col("kind") == "patient_missing")
        .then(pl.lit(None, pl.String))
        .otherwise(pl.coalesce("named", _pair_substance("substance", "_subst")))
    )
    atc = (
        pl.when(pl.col("kind") == "patient_missing")
        .then(pl.lit(None, pl.String))
        .otherwise(_pair_substance("resolved_atc"))
    )
    wide = wide.with_columns(substance=substance, atc=atc)
    prn = pl.coalesce("c__prn", "p__prn").fill_null(False)
    base = pl.col("kind").replace_strict(rules.severity, return_dtype=pl.String)
    if rules.severity_as_needed:
        base = (
            pl.when(prn & pl.col("kind").is_in(list(rules.severity_as_needed)))
            .then(
                pl.col("kind").replace_strict(
                    rules.severity_as_needed, default=None, return_dtype=pl.String
                )
            )
            .otherwise(base)
        )
    if rules.severity_situation:
        base = (
            pl.when(pl.col("situation").is_in(list(rules.severity_situation)))
            .then(
                pl.col("situation").replace_strict(
                    rules.severity_situation, default=None, return_dtype=pl.String
                )
            )
            .otherwise(base)
        )
    high_risk = pl.col("c_high_risk").fill_null(False) | pl.col("p_high_risk").fill_null(False)
    severity = pl.when(high_risk).then(base.replace_strict(_ESCALATE)).otherwise(base)
    wide = with_explanations(wide).with_columns(
        severity=severity,
        cosmic_summary=summary("c_"),
        pascal_summary=summary("p_"),
        cosmic_ids="c_ids",
        pascal_ids="p_ids",
        cosmic_changed="c_changed",
        pascal_changed="p_changed",
    )
    wide = with_hints(with_fingerprints(wide))
    return wide.select(list(FINDING_COLUMNS)).cast(FINDING_COLUMNS)  # type: ignore[arg-type]


def _sort_findings(findings: pl.DataFrame) -> pl.DataFrame:
    """Per patient, most severe first, then by kind, substance and id (stable output)."""
    kind_order = pl.col("kind").replace_strict({k: i for i, k in enumerate(KINDS)})
    rank = pl.col("severity").replace_strict(SEVERITY_RANK)
    return findings.sort(
        [pl.col("patient_id"), rank, kind_order, pl.col("substance"), pl.col("id")],
        descending=[False, True, False, False, False],
        nulls_last=True,
    )


def _matches(wide: pl.DataFrame) -> pl.DataFrame:
    out = wide.select(
        "patient_id",
        cosmic_ids="c_ids",
        pascal_ids="p_ids",
        substance=_pair_substance("substance", "_subst"),
        atc=_pair_substance("resolved_atc"),
        mechanism="mechanism",
        score="score",
    )
    return out.cast(MATCH_SCHEMA)  # type: ignore[arg-type]


def _sort_matches(matches: pl.DataFrame) -> pl.DataFrame:
    return matches.sort("patient_id", "substance", "cosmic_ids", "pascal_ids", nulls_last=True)


def _judge(lines: pl.DataFrame, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Matches and findings of the patients in ``lines``."""
    ids = lines.select("_pid", "patient_id").unique("_pid")
    pairs = pair_lines(lines, rules.fuzzy_threshold).with_row_index("pair_id")
    pairs = pairs.join(ids, on="_pid", how="left")
    wide = with_sides(pairs, "pair_id", lines, display=False)
    raw = pl.concat([judge_pairs(wide, lines), judge_unpaired(lines, pairs)])
    raw = raw.join(ids, on="_pid", how="left")
    return _matches(wide), _findings(raw, lines, rules)


def reconcile(
    cosmic: Any,
    pascal: Any,
    *,
    rules: Rules | None = None,
    as_of: dt.date | None = None,
) -> Reconciliation:
    """Pair and judge two systems' lists for every patient in them.

    ``cosmic`` / ``pascal``: a ``LoadResult``, or a polars or pandas frame in the
    canonical schema (missing optional columns are filled with nulls), resolved or not.
    ``as_of`` is the run's reference date (default: today): a line whose end date is on or
    before it is ended, and the elderly-care ages are computed on it.
    """
    rules = rules if rules is not None else Rules.load()
    today = as_of if as_of is not None else dt.date.today()
    c_lines, c_rejected, c_files = unpack(cosmic, COSMIC)
    p_lines, p_rejected, p_files = unpack(pascal, PASCAL)
    resolved = resolve_both(c_lines, p_lines)
    del c_lines, p_lines

    # Patients are independent, so a region's export is judged in a few slices of
    # patients: each slice is still one set of joins over all its patients, and the
    # working columns and intermediate frames of only one slice are in memory at a time.
    rejected = pl.concat([c_rejected, p_rejected]).select(list(REJECTED_SCHEMA))
    slices = max(1, math.ceil(resolved.height / SLICE_LINES))
    slice_of = _slice_numbers(resolved, slices) if slices > 1 else None
    matches, findings, patients = [], [], []
    for index in range(slices):
        part = _working_lines(
            resolved if slice_of is None else resolved.filter(slice_of == index), rules, today
        )
        part_matches, part_findings = _judge(part, rules)
        matches.append(_sort_matches(part_matches))
        findings.append(_sort_findings(part_findings))
        patients.append(_patients(part, rejected, rules, today, everyone=slice_of is None))
        del part, part_matches, part_findings
    if slice_of is not None:  # patients known only from rejected rows belong to no slice
        patients.append(
            _patients(
                _working_lines(resolved.clear(), rules, today),
                _rejected_only(rejected, resolved),
                rules,
                today,
                everyone=True,
            )
        )
    return Reconciliation(
        lines=resolved.select(list(RESOLVED_SCHEMA)),
        matches=pl.concat(matches),
        findings=pl.concat(findings),
        patients=pl.concat(patients).sort("patient_id"),
        rejected=rejected.sort("source", "file", "line", nulls_last=True),
        files=[*c_files, *p_files],
    )


def _slice_numbers(resolved: pl.DataFrame, slices: int) -> pl.Series:
    """Which slice each line is judged in: consecutive ranges of patient ids.

    All lines of a patient go to the same slice, and every patient of a slice sorts
    before every patient of the next, so results sorted per slice are sorted overall
    (no sorted copy of all matches and findings at the end). Lines without a patient id
    go to the last slice, where nulls sort.
    """
    ids = resolved.select(pl.col("patient_id").unique().drop_nulls().sort())
    ids = ids.with_columns(
        _slice=(pl.int_range(pl.len(), dtype=pl.UInt64) * slices // pl.len()).cast(pl.UInt32)
    )
    numbers = resolved.select("patient_id").join(
        ids, on="patient_id", how="left", maintain_order="left"
    )
    return numbers.get_column("_slice").fill_null(slices - 1)


def _working_lines(resolved: pl.DataFrame, rules: Rules, as_of: dt.date) -> pl.DataFrame:
    """Resolved lines plus the engine's working columns (``_row``, ``_pid``, ...).

    Computed per slice: the working columns only ever order or compare lines of one
    patient, so a slice's own row numbers, ranks and codes give the same pairs and
    findings as numbers over all lines would.
    """
    lines = with_derived(resolved, as_of)
    risky = matching_rows(lines, [("high_risk", rules.high_risk_atc, rules.high_risk_substances)])
    limit = pl.col("substance").replace_strict(
        rules.max_daily_mg, default=None, return_dtype=pl.Float64
    )
    return lines.with_columns(
        _high_risk=pl.col("_row").is_in(risky["_row"].implode()),
        _max_daily=pl.when(pl.col("daily_amount_unit") == "mg").then(limit),
    )


def _patients(
    part: pl.DataFrame,
    rejected: pl.DataFrame,
    rules: Rules,
    today: dt.date,
    *,
    everyone: bool,
) -> pl.DataFrame:
    """The patient table of one slice's lines (with their rejected rows); ``everyone``:
    also the patients named only by ``rejected``."""
    if not everyone:
        mine = part.select("patient_id").unique().drop_nulls()
        # rows whose id could not be read stay: they may name a patient of this slice
        rejected = pl.concat(
            [
                rejected.join(mine, on="patient_id", how="semi"),
                rejected.filter(pl.col("patient_id").is_null()),
            ]
        )
    return patient_table(part, rejected, rules.elderly, today)


def _rejected_only(rejected: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Rejected rows of patients who have no loaded line at all."""
    known = lines.select("patient_id").unique().drop_nulls()
    return rejected.filter(pl.col("patient_id").is_not_null()).join(
        known, on="patient_id", how="anti"
    )


def reconcile_files(
    cosmic_paths: Sequence[Path | str] | Path | str,
    pascal_paths: Sequence[Path | str] | Path | str,
    mapping: Path | str | None = None,
    *,
    rules: Rules | None = None,
    as_of: dt.date | None = None,
    sheet: str | None = None,
) -> Reconciliation:
    """Load both systems' exports with the adapters, then ``reconcile`` them.

    ``sheet`` names the sheet to read in XLSX workbooks (default: their export sheet).
    """
    from adapters import load_exports

    def as_list(paths: Sequence[Path | str] | Path | str) -> list[Path]:
        if isinstance(paths, str | Path):
            return [Path(paths)]
        return [Path(p) for p in paths]

    mapping_path = Path(mapping) if mapping is not None else None
    cosmic = load_exports(as_list(cosmic_paths), system=COSMIC, mapping=mapping_path, sheet=sheet)
    pascal = load_exports(as_list(pascal_paths), system=PASCAL, mapping=mapping_path, sheet=sheet)
    _refuse_one_empty_export(cosmic, pascal)
    result = reconcile(cosmic, pascal, rules=rules, as_of=as_of)
    # A shared drop folder is named for both systems: list each skipped file once.
    skipped = {s.path: s for s in [*cosmic.skipped_files, *pascal.skipped_files]}
    read = {report.path for report in result.files}
    result.skipped_files = [s for path, s in sorted(skipped.items()) if path not in read]
    return result


def _refuse_one_empty_export(cosmic: LoadResult, pascal: LoadResult) -> None:
    """An export with no rows beside a full one is almost always a failed export job.

    Reconciled as it is, every patient would get a high-severity ``patient_missing``
    finding; refusing says what is wrong instead of flooding the worklist and report.
    """
    rows = {
        name: sum(report.rows for report in result.files)
        for name, result in ((COSMIC, cosmic), (PASCAL, pascal))
    }
    for empty, other in ((COSMIC, PASCAL), (PASCAL, COSMIC)):
        if rows[empty] == 0 and rows[other] > 0:
            files = ", ".join(r.path.name for r in (cosmic if empty == COSMIC else pascal).files)
            raise UnusableInputError(
                f"{SYSTEM_LABEL[empty]}-exporten ({files}) innehåller inga rader, men "
                f"{SYSTEM_LABEL[other]}-exporten har {rows[other]}. Det ser ut som en "
                "misslyckad export; inget stämdes av. Kontrollera exportjobbet.",
                title="Tom export",
            )

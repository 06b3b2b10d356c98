"""Judging: which kinds of finding a pair, an unpaired line or a patient gives.

Every rule of docs/judging.md is one boolean expression over the wide pair row built by
``sides.with_sides`` (``c_*`` Cosmic side, ``p_*`` Pascal side). Each kind that holds is
its own finding. The output of every function here is a frame of *raw findings*:
``patient_id, kind, mechanism, score, c_rows, p_rows`` (rows of the lines involved).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from medrecon.engine.duplicates import find_duplicates
from medrecon.engine.group_totals import close, group_totals
from medrecon.kinds import (
    KIND_BY_CODE,
    SITUATION_AS_NEEDED_MAXIMUM,
    SITUATION_ONCE_DAILY_TIME,
    Kind,
)

RAW_SCHEMA: dict[str, pl.DataType] = {
    "_pid": pl.UInt32(),
    "kind": pl.String(),
    "mechanism": pl.String(),
    "score": pl.Float64(),
    "c_rows": pl.List(pl.UInt32()),
    "p_rows": pl.List(pl.UInt32()),
    # the substance a finding is about when its lines do not say it alone (a duplicate
    # of paracetamol alone and paracetamol + kodein is about paracetamol); else null
    "named": pl.String(),
    # a finer situation of the kind with its own severity (kinds.SITUATION_REGISTRY)
    "situation": pl.String(),
}


def as_raw(frame: pl.DataFrame) -> pl.DataFrame:
    """Raw findings in ``RAW_SCHEMA`` (``named`` null unless given)."""
    for optional in ("named", "situation"):
        if optional not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(optional))
    return frame.select(list(RAW_SCHEMA)).cast(RAW_SCHEMA)  # type: ignore[arg-type]


_GROUP_MECHANISMS = ("split", "combination")
# Form sources that are compared: written, or implied by a name that only exists in one
# form. A brand's usual form (``usual``) is never the ground for a form finding.
_COMPARED_FORMS = ("written", "name")
_SLOTS = ("slot_morning", "slot_noon", "slot_evening", "slot_night")


def _c(name: str) -> pl.Expr:
    return pl.col("c_" + name)


def _p(name: str) -> pl.Expr:
    return pl.col("p_" + name)


def _known_differ(name: str) -> pl.Expr:
    return _c(name).is_not_null() & _p(name).is_not_null() & (_c(name) != _p(name))


def _distribution(prefix: str) -> list[pl.Expr]:
    """Each part of the day's share of the day's units (null when nothing is known)."""
    slots = [pl.col(prefix + s) for s in _SLOTS]
    known = pl.any_horizontal(s.is_not_null() for s in slots)
    total = pl.sum_horizontal(s.fill_null(0.0) for s in slots)
    return [pl.when(known & (total > 0)).then((s.fill_null(0.0) / total).round(6)) for s in slots]


def _same_range(low: str, high: str) -> pl.Expr:
    """Two ranges (low..high) of one column on both sides are equal; a fixed amount is a
    range whose ends are equal, so "1-2 tabletter" never equals "2 tabletter"."""
    c_high, p_high = _c(high), _p(high)
    c_low = pl.coalesce(_c(low), c_high)
    p_low = pl.coalesce(_p(low), p_high)
    return close(c_high, p_high) & close(c_low, p_low)


def _comparisons() -> dict[str, pl.Expr]:
    """Per pair: are the doses known and equal; do intervals, strengths, forms differ."""
    standing = ~_c("_prn") & ~_p("_prn")
    single = ~pl.col("mechanism").is_in(_GROUP_MECHANISMS)
    same_strength = (_c("strength_value").is_null() & _p("strength_value").is_null()) | close(
        _c("strength_value"), _p("strength_value")
    ).fill_null(False)
    understood = _c("dose_understood").fill_null(False) & _p("dose_understood").fill_null(False)
    stepped = _c("dose_has_steps").fill_null(False) | _p("dose_has_steps").fill_null(False)

    def comparable(column: str) -> pl.Expr:
        return (
            _c(column).is_not_null()
            & _p(column).is_not_null()
            & (_c(column + "_unit") == _p(column + "_unit")).fill_null(False)
        )

    # A standing dose: its amount a day as a range (a fixed dose is a range of one value).
    by_amount = comparable("daily_amount")
    by_units = same_strength & _c("daily_units").is_not_null() & _p("daily_units").is_not_null()
    standing_equal = (
        pl.when(~understood | stepped)
        .then(None)
        .when(by_amount)
        .then(_same_range("daily_amount_min", "daily_amount"))
        .when(by_units)
        .then(_same_range("daily_units_min", "daily_units"))
    )
    # An as-needed dose: the amount each time and the most a day, where both sides say
    # them. Two as-needed lines without a maximum agree when each dose is the same.
    per_dose = comparable("dose_amount")
    maximum = comparable("max_amount")
    prn_differs = (per_dose & ~_same_range("dose_amount_low", "dose_amount")) | (
        maximum & ~close(_c("max_amount"), _p("max_amount"))
    )
    prn_equal = (
        pl.when(~understood | ~(per_dose | maximum))
        .then(None)
        .otherwise(~prn_differs.fill_null(False))
    )
    amounts_equal = (
        pl.when(~single)
        .then(pl.col("group_equal"))
        .when(standing)
        .then(standing_equal)
        .otherwise(prn_equal)
    )
    times_differ = (
        standing
        & single
        & understood
        & _c("times_stated").fill_null(False)
        & _p("times_stated").fill_null(False)
        & _known_differ("times_per_day")
    ).fill_null(False)
    forms_known = _c("form_source").is_in(_COMPARED_FORMS) & _p("form_source").is_in(
        _COMPARED_FORMS
    )
    form_differs = (
        forms_known
        & _known_differ("form_class")
        & (_c("form_class") != "unknown")
        & (_p("form_class") != "unknown")
    ).fill_null(False)
    # Both as needed, the same amount each time (or no amount on a side), another maximum.
    maximum_only = (
        _c("_prn").fill_null(False)
        & _p("_prn").fill_null(False)
        & understood
        & maximum
        & ~close(_c("max_amount"), _p("max_amount"))
        & (~per_dose | _same_range("dose_amount_low", "dose_amount"))
    ).fill_null(False)
    once_daily = (
        standing
        & single
        & (_c("times_per_day") == 1)
        & (_p("times_per_day") == 1)
        & close(_c("interval_days"), _p("interval_days"))
    ).fill_null(False)
    return {
        "maximum_only": maximum_only,
        "once_daily": once_daily,
        "standing": standing,
        "single": single,
        "amounts_equal": amounts_equal,
        "interval_differs": (
            standing & single & understood & ~stepped & _known_differ("interval_days")
        ).fill_null(False),
        "times_differ": times_differ,
        "form_differs": form_differs,
        "strength_differs": (
            ~same_strength & _c("strength_value").is_not_null() & _p("strength_value").is_not_null()
        )
        | (standing & by_units.not_() & _known_differ("daily_units")).fill_null(False),
        "texts_differ": pl.col("c_dosing_keys") != pl.col("p_dosing_keys"),
    }


@dataclass(frozen=True)
class PairRule:
    """The rule of one pair kind: when it holds, and the finer situation it is in."""

    kind: Kind
    when: pl.Expr
    situation: pl.Expr | None = None


def pair_rules() -> dict[str, PairRule]:
    """Every pair kind of the registry with its rule over a wide pair row."""
    cmp = _comparisons()
    c_ended, p_ended = _c("ended"), _p("ended")
    active = ~c_ended & ~p_ended
    prn_differs = _c("_prn") != _p("_prn")
    dosed = active & ~prn_differs
    equal = cmp["amounts_equal"]
    undecided = dosed & equal.is_null()
    c_dist, p_dist = _distribution("c_"), _distribution("p_")
    dist_known = c_dist[0].is_not_null() & p_dist[0].is_not_null()
    dist_differs = pl.any_horizontal(
        (a - b).abs() > 1e-4 for a, b in zip(c_dist, p_dist, strict=True)
    )
    same_amount = dosed & equal.fill_null(False) & ~cmp["interval_differs"]
    # Finer situations of a kind, each with its own severity in rules/severities.toml.
    as_needed_maximum = pl.when(cmp["maximum_only"]).then(pl.lit(SITUATION_AS_NEEDED_MAXIMUM))
    once_daily_time = pl.when(cmp["once_daily"]).then(pl.lit(SITUATION_ONCE_DAILY_TIME))
    rules = (
        ("ended_in_cosmic", c_ended & ~p_ended, None),
        ("ended_in_pascal", p_ended & ~c_ended, None),
        ("route", active & _known_differ("route"), None),
        ("form", active & cmp["form_differs"], None),
        ("as_needed", active & prn_differs, None),
        ("dispensing", active & _known_differ("dispensing"), None),
        ("dose", dosed & ((equal == False) | cmp["interval_differs"]), as_needed_maximum),  # noqa: E712
        (
            "schedule",
            same_amount
            & cmp["standing"]
            & cmp["single"]
            & ((dist_known & dist_differs) | cmp["times_differ"]),
            once_daily_time,
        ),
        # A different form explains a different strength (a solution against tablets).
        (
            "strength",
            same_amount & ~cmp["form_differs"] & (~cmp["single"] | cmp["strength_differs"]),
            None,
        ),
        ("needs_review", undecided & ~cmp["interval_differs"] & cmp["texts_differ"], None),
    )
    return {code: PairRule(KIND_BY_CODE[code], when, situation) for code, when, situation in rules}


PAIR_RULE_KINDS: tuple[str, ...] = tuple(pair_rules())


def judge_pairs(wide: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Raw findings of every pair (``wide``: pairs with ``pair_id`` and both sides)."""
    wide = wide.join(group_totals(wide, lines), on="pair_id", how="left")
    found = [
        wide.filter(rule.when.fill_null(False)).select(
            "_pid",
            kind=pl.lit(code),
            mechanism="mechanism",
            score="score",
            c_rows="c_rows",
            p_rows="p_rows",
            situation=rule.situation if rule.situation is not None else pl.lit(None, pl.String),
        )
        for code, rule in pair_rules().items()
    ]
    return pl.concat([as_raw(f) for f in found])


def judge_unpaired(lines: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Missing lines, missing patients, duplicates and Pascal text conflicts."""
    # Select before filtering: filtering the wide frame would copy every column.
    rx = lines.select(
        "_row",
        "_pid",
        "_id_rank",
        "_is_cosmic",
        "_ended",
        "_rx",
        "_sid",
        "resolved_atc",
        "form_class",
        "route",
        "_prn",
        "strength_value",
        "substance",
        "duplicate_substances",
        "dose_text_conflict",
    ).filter(pl.col("_rx") & pl.col("_pid").is_not_null())
    active = rx.filter(~pl.col("_ended"))
    paired = pl.concat([pairs.select(r="c_rows"), pairs.select(r="p_rows")]).explode(
        "r", empty_as_null=False
    )
    # A patient with lines in one export and none in the other: one finding for all.
    presence = (
        lines.select("_pid", "_is_cosmic")
        .drop_nulls("_pid")
        .group_by("_pid")
        .agg(in_c=pl.col("_is_cosmic").any(), in_p=(~pl.col("_is_cosmic")).any())
    )
    absent = presence.filter(pl.col("in_c") != pl.col("in_p")).select("_pid")
    per_patient = (
        active.join(absent, on="_pid")
        .sort("_id_rank", "_row")
        .group_by("_pid")
        .agg(rows=pl.col("_row"), cosmic=pl.col("_is_cosmic").first())
    )
    patient_missing = per_patient.select(
        "_pid",
        kind=pl.lit("patient_missing"),
        mechanism=pl.lit(None, pl.String),
        score=pl.lit(None, pl.Float64),
        c_rows=pl.when("cosmic").then("rows").otherwise(pl.lit([], pl.List(pl.UInt32))),
        p_rows=pl.when("cosmic").then(pl.lit([], pl.List(pl.UInt32))).otherwise("rows"),
    )
    alone = pairs.filter(~pl.col("mechanism").is_in(_GROUP_MECHANISMS))
    paired_alone = pl.concat([alone.select(r="c_rows"), alone.select(r="p_rows")]).explode(
        "r", empty_as_null=False
    )
    dups = find_duplicates(active, paired, paired_alone)
    unpaired = (
        active.join(paired, left_on="_row", right_on="r", how="anti")
        .join(absent, on="_pid", how="anti")
        .join(dups.covered, on="_row", how="anti")
    )
    missing = unpaired.select(
        "_pid",
        kind=pl.when("_is_cosmic")
        .then(pl.lit("missing_in_pascal"))
        .otherwise(pl.lit("missing_in_cosmic")),
        mechanism=pl.lit(None, pl.String),
        score=pl.lit(None, pl.Float64),
        c_rows=pl.when("_is_cosmic")
        .then(pl.concat_list("_row"))
        .otherwise(pl.lit([], pl.List(pl.UInt32))),
        p_rows=pl.when("_is_cosmic")
        .then(pl.lit([], pl.List(pl.UInt32)))
        .otherwise(pl.concat_list("_row")),
    )
    conflict = active.filter(~pl.col("_is_cosmic") & pl.col("dose_text_conflict").fill_null(False))
    conflicts = conflict.select(
        "_pid",
        kind=pl.lit("needs_review"),
        mechanism=pl.lit(None, pl.String),
        score=pl.lit(None, pl.Float64),
        c_rows=pl.lit([], pl.List(pl.UInt32)),
        p_rows=pl.concat_list("_row"),
    )
    return pl.concat([as_raw(f) for f in (patient_missing, missing, dups.findings, conflicts)])

"""Turn a plan into the rows of each export, and the planted findings into the truth.

``expand`` decides, for one system, how many rows each planned line gives (none when it
is missing there, two for a split, a combination's components or a duplicate) and what
each row holds, as integer codes. ``truth`` lists one finding per planted line (plus one
per missing patient) with the ids of the rows involved, following docs/judging.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from medrecon.synth import plan as P
from medrecon.synth.tables import Tables, pick

COSMIC, PASCAL = 0, 1
ACTIVE, ENDED, PAUSED = 0, 1, 2
PRESCRIPTION, WARD_STOCK, SELF_CARE = 0, 1, 2

BASE_SEVERITY = {
    "missing_in_pascal": "high",
    "missing_in_cosmic": "high",
    "ended_in_cosmic": "high",
    "ended_in_pascal": "high",
    "dose": "high",
    "schedule": "medium",
    "as_needed": "medium",
    "strength": "low",
    "form": "medium",
    "route": "high",
    "duplicate": "medium",
    "needs_review": "medium",
    "dispensing": "low",
    "patient_missing": "high",
}
ESCALATE = {"low": "medium", "medium": "high", "high": "high"}


def severity(kind: str, as_needed: bool, high_risk: bool) -> str:
    """Default severity of a finding (spec table, as-needed missing lines, high-risk step)."""
    level = BASE_SEVERITY[kind]
    if kind in ("missing_in_pascal", "missing_in_cosmic") and as_needed:
        level = "medium"
    return ESCALATE[level] if high_risk else level


def row_counts(plan: P.Plan, system: int) -> np.ndarray:
    kind, mine = plan.kind, plan.side == system
    count = np.ones(len(plan), dtype=np.int64)
    count[kind == (P.MISSING_IN_PASCAL if system == PASCAL else P.MISSING_IN_COSMIC)] = 0
    count[(kind == P.PATIENT_MISSING) & mine] = 0
    count[(kind == P.HISTORY_ONE) & ~mine] = 0
    if system == PASCAL:
        count[kind == P.NON_PRESCRIPTION] = 0
    count[np.isin(kind, (P.STRENGTH_SPLIT, P.STRENGTH_COMBO, P.DUPLICATE)) & mine] = 2
    return count


_PAIR_DIFFERENCES = (
    P.ENDED_IN_COSMIC,
    P.ENDED_IN_PASCAL,
    P.DOSE,
    P.SCHEDULE,
    P.AS_NEEDED,
    P.STRENGTH_UNITS,
    P.STRENGTH_SPLIT,
    P.STRENGTH_COMBO,
    P.FORM,
    P.ROUTE,
    P.DISPENSING,
)


def expand(plan: P.Plan, tab: Tables, system: int) -> dict[str, np.ndarray]:
    """Row-level codes for one system's export (see ``writer.render``)."""
    a = tab.arrays
    count = row_counts(plan, system)
    base = np.repeat(np.arange(len(plan)), count)
    starts = np.cumsum(count) - count
    copy = np.arange(len(base)) - np.repeat(starts, count)
    kind, mine = plan.kind[base], plan.side[base] == system
    t0 = plan.template[base]
    r0 = plan.regimen[base]
    second = copy == 1

    def where(mask: Any, value: Any, current: Any) -> np.ndarray:
        return np.asarray(np.where(mask, value, current))

    combo_part = (kind == P.STRENGTH_COMBO) & mine
    template = where(combo_part, where(second, a["t_comp_b"][t0], a["t_comp_a"][t0]), t0)
    strength = plan.strength[base]
    units = kind == P.STRENGTH_UNITS
    strength = where(units, where(mine, a["t_pair_small"][t0], a["t_pair_large"][t0]), strength)
    split = kind == P.STRENGTH_SPLIT
    split_mine = where(second, a["t_split_b"][t0], a["t_split_a"][t0])
    strength = where(split, where(mine, split_mine, a["t_split_c"][t0]), strength)
    combo = kind == P.STRENGTH_COMBO
    combo_mine = where(second, a["t_comp_b_strength"][t0], a["t_comp_a_strength"][t0])
    strength = where(combo, where(mine, combo_mine, a["t_combo_strength"][t0]), strength)

    prn0 = a["r_mode"][r0] == 2
    last = len(a["standing_ids"]) - 1
    first_standing = a["standing_ids"][np.minimum(a["standing_offset"][t0], last)]
    to_other = where(prn0, first_standing, a["t_prn_reg"][t0])
    regimen = r0.copy()
    regimen = where((kind == P.DOSE) & mine, a["r_changed"][r0], regimen)
    regimen = where((kind == P.SCHEDULE) & mine, a["r_rescheduled"][r0], regimen)
    regimen = where((kind == P.AS_NEEDED) & mine, to_other, regimen)
    regimen = where(units & mine, a["r_doubled"][r0], regimen)
    unreadable = a["unreadable"]
    special0 = a["r_mode"][r0] == 3
    choice = plan.choice[base]
    nr_text = where(special0, unreadable[1 + choice % 2], unreadable[choice % 3])
    regimen = where((kind == P.NEEDS_REVIEW) & mine, nr_text, regimen)
    mode = a["r_mode"][regimen]

    # what the product and form columns hold
    product_choice = where(system == COSMIC, plan.c_product[base], plan.p_product[base])
    product_choice = where(
        (kind == P.DUPLICATE) & mine & second, product_choice + 1, product_choice
    )
    use_alt_form = (kind == P.FORM) & mine
    product = pick(a["product_offset"], a["product_count"], template, product_choice)
    alt_product = pick(a["alt_product_offset"], a["alt_product_count"], template, product_choice)
    form_choice = plan.c_form[base] if system == COSMIC else plan.p_form[base]
    form = pick(a["form_offset"], a["form_count"], template, where(combo_part, 0, form_choice))
    sub_choice = plan.c_substance[base] if system == COSMIC else plan.p_substance[base]
    substance = pick(a["substance_text_offset"], a["substance_text_count"], template, sub_choice)
    substance = where((sub_choice < 0) & ~combo_part, -1, substance)

    dose_dispensed = (a["t_dose_dispensed"][t0] == 1) & ~prn0 & (kind != P.AS_NEEDED)
    dose_dispensed = where((kind == P.DISPENSING) & mine, ~dose_dispensed, dose_dispensed)
    status = np.full(len(base), ACTIVE)
    ended_here = P.ENDED_IN_COSMIC if system == COSMIC else P.ENDED_IN_PASCAL
    ended = (kind == ended_here) | np.isin(kind, (P.HISTORY_BOTH, P.HISTORY_ONE))
    paused = ended & (system == COSMIC) & (choice % 4 == 0)
    status = where(ended, where(paused, PAUSED, ENDED), status)
    order_type = where(kind == P.NON_PRESCRIPTION, 1 + choice % 2, PRESCRIPTION)

    # dosing text; Pascal: time columns for dose-dispensed daily lines
    explicit = kind == P.SCHEDULE
    n_all = len(tab.series["text_all"])
    text_choice = plan.c_text[base] if system == COSMIC else plan.p_text[base] // 2
    any_text = pick(a["text_all_offset"], a["text_all_count"], regimen, text_choice)
    exact = n_all + pick(a["text_explicit_offset"], a["text_explicit_count"], regimen, text_choice)
    text = where(explicit, exact, any_text)
    columns = np.zeros(len(base), dtype=bool)
    if system == PASCAL:
        columns = dose_dispensed & (mode == 0)
        conflict = kind == P.TEXT_CONFLICT
        changed = np.maximum(a["r_changed"][regimen], 0)
        beside = n_all + pick(
            a["text_explicit_offset"], a["text_explicit_count"], regimen, text_choice
        )
        beside_conflict = n_all + pick(
            a["text_explicit_offset"], a["text_explicit_count"], changed, text_choice
        )
        beside = where(plan.p_text[base] % 2 == 0, -1, beside)
        beside = where(conflict, beside_conflict, beside)
        text = where(columns, beside, text)
    # The side a planted pair difference was made on is the one updated last; the other
    # side's line was last changed weeks earlier (what medrecon's "not updated" hint reads).
    updated_here = where(
        np.isin(kind, (P.ENDED_IN_COSMIC, P.ENDED_IN_PASCAL)), kind == ended_here, mine
    )
    stale = np.isin(kind, _PAIR_DIFFERENCES) & ~updated_here
    return {
        "base": base,
        "copy": copy,
        "stale": stale,
        "patient": plan.patient[base],
        "template": template,
        "strength": strength,
        "regimen": regimen,
        "product": product,
        "alt_product": alt_product,
        "alt_form": use_alt_form,
        "form": form,
        "substance": substance,
        "alt_route": (kind == P.ROUTE) & mine,
        "dose_dispensed": dose_dispensed,
        "status": status,
        "order_type": order_type,
        "as_needed": mode == 2,
        "special": mode == 3,
        "text": text,
        "columns": columns,
        "column_variant": choice % 3,
        "choice": choice,
        "noise": plan.noise[base],
        "start_days": plan.start_days[base],
        "prescriber": plan.prescriber[base],
    }


def truth(
    plan: P.Plan,
    tab: Tables,
    patient_ids: pl.Series,
    cosmic_rows: pl.DataFrame,
    pascal_rows: pl.DataFrame,
) -> pl.DataFrame:
    """One row per planted finding: patient, kind, substance, ids per side, severity.

    ``base`` is the plan line a finding comes from (null for a missing patient).

    ``*_rows`` hold ``base`` (plan index), ``line_id``, ``active_rx`` for each export row.
    """
    a = tab.arrays
    kind = plan.kind
    involved = np.isin(kind, list(P.KIND_NAME))
    ids = {}
    for name, rows in (("cosmic_ids", cosmic_rows), ("pascal_ids", pascal_rows)):
        rows = rows.filter(pl.Series(involved[rows["base"].to_numpy()]))
        ids[name] = (
            rows.sort("base", "line_id")
            .group_by("base", maintain_order=True)
            .agg(pl.col("line_id").alias(name))
        )
    lines = np.nonzero(np.isin(kind, list(P.KIND_NAME)) & (kind != P.PATIENT_MISSING))[0]
    t = plan.template[lines]
    frame = pl.DataFrame(
        {
            "base": lines,
            "patient_id": patient_ids.gather(plan.patient[lines]),
            "code": kind[lines],
            "side": plan.side[lines],
            "substance": tab.series["substance"].gather(t),
            "prn": a["r_mode"][plan.regimen[lines]] == 2,
            "high_risk": a["t_high_risk"][t] == 1,
        }
    )
    empty = pl.lit([], dtype=pl.List(pl.String))
    code, side = pl.col("code"), pl.col("side")
    frame = (
        frame.join(ids["cosmic_ids"], on="base", how="left")
        .join(ids["pascal_ids"], on="base", how="left")
        .with_columns(
            kind=code.replace_strict(P.KIND_NAME, return_dtype=pl.String),
            cosmic_ids=pl.when((code == P.TEXT_CONFLICT) | ((code == P.DUPLICATE) & (side == 1)))
            .then(empty)
            .otherwise(pl.col("cosmic_ids").fill_null(empty)),
            pascal_ids=pl.when((code == P.DUPLICATE) & (side == 0))
            .then(empty)
            .otherwise(pl.col("pascal_ids").fill_null(empty)),
        )
    )
    # a patient missing from one export: every active prescription line on the other side
    present = pl.concat(
        [
            cosmic_rows.select("base", "line_id", "active_rx", missing_side=pl.lit(PASCAL)),
            pascal_rows.select("base", "line_id", "active_rx", missing_side=pl.lit(COSMIC)),
        ]
    )
    gone = np.nonzero(kind == P.PATIENT_MISSING)[0]
    gone_frame = pl.DataFrame({"base": gone, "patient": plan.patient[gone]})
    missing = (
        gone_frame.join(present, on="base")
        .filter(pl.col("active_rx"))
        .sort("patient", "line_id")
        .group_by("patient", "missing_side", maintain_order=True)
        .agg(pl.col("line_id"))
    )
    is_pascal_missing = pl.col("missing_side") == PASCAL
    missing = missing.select(
        patient_id=patient_ids.gather(missing["patient"]),
        kind=pl.lit("patient_missing"),
        substance=pl.lit(None, dtype=pl.String),
        cosmic_ids=pl.when(is_pascal_missing).then(pl.col("line_id")).otherwise(empty),
        pascal_ids=pl.when(is_pascal_missing).then(empty).otherwise(pl.col("line_id")),
        severity=pl.lit("high"),
        base=pl.lit(None, dtype=pl.Int64),
    )
    level = pl.col("kind").replace_strict(BASE_SEVERITY, return_dtype=pl.String)
    level = (
        pl.when(pl.col("kind").str.starts_with("missing_in_") & pl.col("prn"))
        .then(pl.lit("medium"))
        .otherwise(level)
    )
    level = pl.when(pl.col("high_risk")).then(level.replace(ESCALATE)).otherwise(level)
    lines_truth = frame.with_columns(severity=level).select(
        "patient_id", "kind", "substance", "cosmic_ids", "pascal_ids", "severity", "base"
    )
    return sort_truth(pl.concat([lines_truth, missing]))


def sort_truth(frame: pl.DataFrame) -> pl.DataFrame:
    """Patients in id order; within a patient, the order of the plan (stable)."""
    return frame.sort("patient_id", maintain_order=True)

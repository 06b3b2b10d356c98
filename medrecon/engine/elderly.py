"""Socialstyrelsen's indicators for drug therapy in the elderly, per patient.

Information beside the discrepancies, not a discrepancy: for patients aged 75 or more
(age from the personnummer, as of the run) medrecon flags drugs to avoid, too high
daily doses, polypharmacy (10 or more drugs) and 3 or more psychotropics. Each system's
active list is counted on its own and the larger count is shown, because the two lists
may disagree and adding them would count one drug twice.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from medrecon.engine.clinical_rules import ElderlyRules
from medrecon.engine.codes import matching_rows
from medrecon.engine.sentences import number

FLAGS_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "elderly_flags": pl.List(pl.String()),
    "elderly_notes": pl.List(pl.String()),
}


def birth_date() -> pl.Expr:
    """Birth date from a canonical id (samordningsnummer: day + 60); null if unreadable."""
    pid = pl.col("patient_id")
    day = pid.str.slice(6, 2).cast(pl.Int32, strict=False)
    day = pl.when(day > 60).then(day - 60).otherwise(day)
    text = pl.concat_str(pid.str.slice(0, 6), day.cast(pl.String).str.zfill(2))
    return text.str.to_date("%Y%m%d", strict=False)


def age_on(today: dt.date) -> pl.Expr:
    born = birth_date()
    before_birthday = (born.dt.month() > today.month) | (
        (born.dt.month() == today.month) & (born.dt.day() > today.day)
    )
    return today.year - born.dt.year() - before_birthday.cast(pl.Int32)


def _template(template: str, n: pl.Expr) -> pl.Expr:
    head, _, tail = template.partition("{n}")
    return pl.concat_str(pl.lit(head), n.cast(pl.String), pl.lit(tail))


def elderly_flags(lines: pl.DataFrame, rules: ElderlyRules, today: dt.date) -> pl.DataFrame:
    """``FLAGS_SCHEMA`` for every elderly patient with at least one flag."""
    old = lines.select("patient_id").unique().filter(age_on(today) >= rules.min_age)
    active = lines.join(old, on="patient_id").filter(~pl.col("_ended"))
    name = pl.coalesce("substance", "_subst", pl.col("product_text").str.to_lowercase())
    notes: list[pl.DataFrame] = []

    drug_key = pl.coalesce("substance", "resolved_atc", pl.col("product_text").str.to_lowercase())
    counts = (
        active.with_columns(
            _drug=drug_key,
            _psy=pl.any_horizontal(
                pl.col("resolved_atc").str.starts_with(p).fill_null(False)
                for p in rules.psychotropic_atc
            ),
        )
        .group_by("patient_id", "source")
        .agg(
            n=pl.col("_drug").drop_nulls().n_unique(),
            n_psy=pl.col("_drug").filter(pl.col("_psy")).drop_nulls().n_unique(),
        )
        .group_by("patient_id")
        .agg(pl.col("n", "n_psy").max())
    )
    notes.append(
        counts.filter(pl.col("n") >= rules.polypharmacy_min).select(
            "patient_id",
            code=pl.lit(rules.polypharmacy_code),
            note=_template(rules.polypharmacy_note, pl.col("n")),
        )
    )
    notes.append(
        counts.filter(pl.col("n_psy") >= rules.psychotropic_min).select(
            "patient_id",
            code=pl.lit(rules.psychotropic_code),
            note=_template(rules.psychotropic_note, pl.col("n_psy")),
        )
    )

    reasons = pl.DataFrame(
        [(d.code, d.reason) for d in rules.avoid], schema=["code", "reason"], orient="row"
    )
    avoid = matching_rows(active, ((d.code, d.atc, d.substances) for d in rules.avoid))
    notes.append(
        active.join(avoid, on="_row")
        .join(reasons, on="code")
        .group_by("patient_id", "code")
        .agg(name=name.first(), reason=pl.col("reason").first())
        .select(
            "patient_id",
            "code",
            note=pl.concat_str(
                _capitalised(pl.col("name")),
                pl.lit(": "),
                pl.col("reason"),
                pl.lit(f" – bör undvikas från {rules.min_age} år."),
            ),
        )
    )

    limits = pl.DataFrame(
        [(d.code, d.max_mg) for d in rules.max_daily], schema=["code", "max_mg"], orient="row"
    ).cast({"max_mg": pl.Float64})
    dosed = matching_rows(active, ((d.code, d.atc, d.substances) for d in rules.max_daily))
    notes.append(
        active.filter(~pl.col("_prn") & (pl.col("daily_amount_unit") == "mg"))
        .join(dosed, on="_row")
        .group_by("patient_id", "source", "code")
        .agg(mg=pl.col("daily_amount").sum(), name=name.first())
        .group_by("patient_id", "code")
        .agg(pl.col("mg").max(), pl.col("name").first())
        .join(limits, on="code")
        .filter(pl.col("mg") > pl.col("max_mg"))
        .select(
            "patient_id",
            "code",
            note=pl.concat_str(
                _capitalised(pl.col("name")),
                pl.lit(" "),
                number(pl.col("mg")),
                pl.lit(" mg/dygn är mer än "),
                number(pl.col("max_mg")),
                pl.lit(" mg/dygn som rekommenderas för äldre."),
            ),
        )
    )
    found = pl.concat([n.cast({"note": pl.String}) for n in notes]).sort("patient_id", "code")
    return found.group_by("patient_id", maintain_order=True).agg(
        elderly_flags=pl.col("code"), elderly_notes=pl.col("note")
    )


def _capitalised(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(expr.str.slice(0, 1).str.to_uppercase(), expr.str.slice(1))

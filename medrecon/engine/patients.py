"""One row per patient beside the findings (``PATIENT_SCHEMA``)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from medrecon.engine.elderly import elderly_flags
from medrecon.engine.rules import ElderlyRules
from medrecon.schema import PATIENT_SCHEMA


def surname_first(name: pl.Expr) -> pl.Expr:
    """Pascal's "Förnamn Efternamn" as Cosmic's "Efternamn, Förnamn" (last word as the
    surname), so every face shows one form; a name with a comma or of one word as is."""
    name = name.str.strip_chars().str.replace_all(r"\s+", " ")
    return (
        pl.when(name.str.contains(",") | ~name.str.contains(" "))
        .then(name)
        .otherwise(name.str.replace(r"^(.+) (\S+)$", "$2, $1"))
    )


def patient_table(
    lines: pl.DataFrame, rejected: pl.DataFrame, rules: ElderlyRules, today: dt.date
) -> pl.DataFrame:
    """Every patient with a loaded line or a rejected row that names them."""
    known = lines.select(
        "_row",
        "patient_id",
        "patient_name",
        "care_unit",
        "source",
        "_is_cosmic",
        "_ended",
        "substance",
        "substances",
        "_subst",
        "resolved_atc",
        "product_text",
        "_prn",
        "daily_amount",
        "daily_amount_unit",
    ).filter(pl.col("patient_id").is_not_null())
    cosmic = pl.col("_is_cosmic")
    per_patient = known.group_by("patient_id").agg(
        patient_name=pl.coalesce(
            pl.col("patient_name").filter(cosmic).drop_nulls().first(),
            surname_first(pl.col("patient_name").filter(~cosmic).drop_nulls().first()),
        ),
        # The unit that owns most of the patient's Cosmic lines (ties: alphabetical).
        care_unit=pl.col("care_unit").filter(cosmic).drop_nulls().sort().mode().sort().first(),
        in_cosmic=cosmic.any(),
        in_pascal=(~cosmic).any(),
        n_cosmic_lines=cosmic.sum().cast(pl.Int64),
        n_pascal_lines=(~cosmic).sum().cast(pl.Int64),
    )
    rejected_ids = rejected.select("patient_id").drop_nulls().unique()
    only_rejected = rejected_ids.join(per_patient, on="patient_id", how="anti").with_columns(
        in_cosmic=pl.lit(False),
        in_pascal=pl.lit(False),
        n_cosmic_lines=pl.lit(0, pl.Int64),
        n_pascal_lines=pl.lit(0, pl.Int64),
    )
    patients = pl.concat([per_patient, only_rejected], how="diagonal_relaxed")
    patients = patients.with_columns(
        incomplete=pl.col("patient_id").is_in(rejected_ids["patient_id"].implode())
    )
    flags = elderly_flags(known, rules, today)
    patients = patients.join(flags, on="patient_id", how="left").with_columns(
        pl.col("elderly_flags", "elderly_notes").fill_null(pl.lit([], pl.List(pl.String)))
    )
    return patients.select(list(PATIENT_SCHEMA)).cast(PATIENT_SCHEMA).sort("patient_id")  # type: ignore[arg-type]

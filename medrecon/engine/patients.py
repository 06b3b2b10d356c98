"""One row per patient beside the findings (``PATIENT_SCHEMA``)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from medrecon.engine.clinical_rules import ElderlyRules
from medrecon.engine.elderly import elderly_flags
from medrecon.schema import PATIENT_SCHEMA, SYSTEM_LABEL

ID_DIGITS = 10  # the Luhn-checked part of a personnummer / samordningsnummer


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
    reasons = incomplete_reasons(per_patient, rejected)
    patients = patients.join(reasons, on="patient_id", how="left").with_columns(
        incomplete=pl.col("incomplete_reasons").is_not_null(),
        incomplete_reasons=pl.col("incomplete_reasons").fill_null(pl.lit([], pl.List(pl.String))),
    )
    flags = elderly_flags(known, rules, today)
    patients = patients.join(flags, on="patient_id", how="left").with_columns(
        pl.col("elderly_flags", "elderly_notes").fill_null(pl.lit([], pl.List(pl.String)))
    )
    return patients.select(list(PATIENT_SCHEMA)).cast(PATIENT_SCHEMA).sort("patient_id")  # type: ignore[arg-type]


def _row_named(what: str) -> pl.Expr:
    """ "Cosmic-rad 17 i cosmic.csv" + ``what``."""
    system = pl.col("source").replace_strict(SYSTEM_LABEL, default=pl.col("source"))
    return pl.concat_str(
        [system, pl.lit("-rad "), pl.col("line").cast(pl.String), pl.lit(" i "), pl.col("file"),
         pl.lit(what)],
        ignore_nulls=True,
    )  # fmt: skip


def _name_key(name: pl.Expr) -> pl.Expr:
    return surname_first(name).str.to_lowercase()


def incomplete_reasons(per_patient: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """``patient_id``, ``incomplete_reasons``: why a patient's list may lack rows.

    A rejected row belongs to a patient when its id could be read. A row whose id could
    not be read (a mistyped digit fails the check digit) is most likely the patient's
    when the name (and the unit, where both have one) is the same and the id differs from
    the patient's in exactly one digit. Such a row is never merged into the patient's
    list: the patient is only marked as incompletely loaded, with the reason.
    """
    own = rejected.filter(pl.col("patient_id").is_not_null()).select(
        "patient_id",
        reason=_row_named(" kunde inte läsas: ") + pl.col("reason").fill_null("") + pl.lit("."),
    )
    orphans = (
        rejected.filter(
            pl.col("patient_id").is_null()
            & pl.col("patient_name").is_not_null()
            & pl.col("raw_patient_id").is_not_null()
        )
        .drop("patient_id")
        .with_columns(
            _key=_name_key(pl.col("patient_name")),
            _digits=pl.col("raw_patient_id").str.replace_all(r"\D", "").str.slice(-ID_DIGITS),
        )
    )
    people = per_patient.filter(pl.col("patient_id").str.contains(r"^\d{12}$")).select(
        "patient_id",
        _key=_name_key(pl.col("patient_name")),
        _unit=pl.col("care_unit"),
        _own_digits=pl.col("patient_id").str.slice(12 - ID_DIGITS),
    )
    candidates = orphans.filter(pl.col("_digits").str.len_chars() == ID_DIGITS).join(
        people.drop_nulls("_key"), on="_key", how="inner"
    )
    differing = pl.sum_horizontal(
        pl.col("_digits").str.slice(i, 1) != pl.col("_own_digits").str.slice(i, 1)
        for i in range(ID_DIGITS)
    )
    both_units = pl.col("care_unit").is_not_null() & pl.col("_unit").is_not_null()
    near = candidates.filter(
        (differing == 1) & (~both_units | (pl.col("care_unit") == pl.col("_unit")))
    ).select(
        "patient_id",
        reason=_row_named(" är inte inläst (")
        + pl.col("reason").fill_null("")
        + pl.when(both_units)
        .then(pl.lit("); namn och enhet stämmer med patienten"))
        .otherwise(pl.lit("); namnet stämmer med patienten"))
        + pl.lit(" och numret skiljer sig på en siffra. Kontrollera listan i ")
        + pl.col("source").replace_strict(SYSTEM_LABEL, default=pl.col("source"))
        + pl.lit("."),
    )
    return (
        pl.concat([own, near])
        .group_by("patient_id", maintain_order=True)
        .agg(incomplete_reasons=pl.col("reason"))
    )

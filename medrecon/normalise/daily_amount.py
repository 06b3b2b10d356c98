"""Doses as active amounts (mg, E, ml), as polars expressions over all lines at once.

A dose is written in the unit of the text: tablets, ml, drops, mg, g, E ... It is compared
as the amount of active substance it gives: pieces x strength per piece, ml x
concentration, g -> mg. ``daily_amount`` is a standing dose's amount per day (and
``daily_amount_min`` for the low end of a range), ``max_amount`` an as-needed dose's
maximum per day. Where a unit cannot be turned into an amount (drops of an unknown
concentration, puffs of a product without a per-dose strength) the value stays in its own
unit, and two lines are only compared when their units match. See ``docs/judging.md``.
"""

from __future__ import annotations

import polars as pl

from medrecon.normalise.dosing import countable_units
from medrecon.normalise.strength import unit_tables

# Forms given in counted pieces (tablets, capsules, suppositories, patches).
PIECE_FORMS = (
    "plain_oral_solid",
    "modified_release",
    "enteric",
    "orodispersible",
    "effervescent",
    "suppository",
    "patch",
)
_PER_PIECE_UNITS = ("mg", "E", "mmol", "ml", "mg/dos", "E/dos", "mmol/dos")
_PER_ML_UNITS = ("mg/ml", "E/ml", "mmol/ml")


def _mass_factors() -> dict[str, float]:
    """Dose units that are masses, with their factor to mg (from ``rules/units.toml``)."""
    quantity = unit_tables().quantity
    return {unit: quantity[unit][1] for unit in ("mg", "g", "mikrog") if unit in quantity}


def _strength_unit() -> pl.Expr:
    return pl.col("strength_unit").str.split(" + ").list.first()


def active_amount(value: pl.Expr, unit: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``value`` of ``unit`` (a dose unit, or null for the product's own) as an amount.

    Returns (amount, amount unit): pieces x strength, ml x concentration, masses in mg,
    E as E; otherwise the value in its own unit (or null when the unit is unknown).
    """
    strength = pl.col("strength_value")
    strength_unit = _strength_unit()
    piece = unit.is_in(sorted(countable_units())) | (
        unit.is_null() & pl.col("form_class").is_in(PIECE_FORMS)
    )
    by_piece = piece & strength_unit.is_in(_PER_PIECE_UNITS) & strength.is_not_null()
    mass_factor = unit.replace_strict(_mass_factors(), default=None, return_dtype=pl.Float64)
    by_volume = unit.eq("ml") & strength_unit.is_in(_PER_ML_UNITS) & strength.is_not_null()
    amount = (
        pl.when(by_piece)
        .then(value * strength)
        .when(mass_factor.is_not_null())
        .then(value * mass_factor)
        .when(unit.eq("E"))
        .then(value)
        .when(by_volume)
        .then(value * strength)
        .when(unit.is_not_null())
        .then(value)
    )
    amount_unit = (
        pl.when(by_piece)
        .then(strength_unit.str.replace("/dos", "", literal=True))
        .when(mass_factor.is_not_null())
        .then(pl.lit("mg"))
        .when(unit.eq("E"))
        .then(pl.lit("E"))
        .when(by_volume)
        .then(strength_unit.str.replace("/ml", "", literal=True))
        .when(unit.is_not_null())
        .then(unit)
    )
    return amount, amount_unit


def daily_amount_columns() -> list[pl.Expr]:
    """daily_amount(_min), max_amount and the amount per dose, each with its unit."""
    unit = pl.col("dose_unit")
    standing = pl.col("daily_units").is_not_null() & ~pl.col("dose_as_needed").fill_null(False)
    # A patch's strength is per hour or per day of wear: the amount a day is the
    # strength, whichever day the patch is changed.
    patch = (unit.eq("plåster") | (unit.is_null() & pl.col("form_class").eq("patch"))) & pl.col(
        "strength_value"
    ).is_not_null()
    per_hour = _strength_unit().eq("mg/timme")
    per_day = _strength_unit().eq("mg/dygn")
    patch_amount = (
        pl.when(per_hour)
        .then(pl.col("dose_amount_max") * pl.col("strength_value") * 24.0)
        .when(per_day)
        .then(pl.col("dose_amount_max") * pl.col("strength_value"))
    )
    patch_rate = patch & (per_hour | per_day)
    daily, daily_unit = active_amount(pl.col("daily_units"), unit)
    daily_min, _ = active_amount(pl.col("daily_units_min"), unit)
    per_dose, per_dose_unit = active_amount(pl.col("dose_amount_max"), unit)
    per_dose_min, _ = active_amount(pl.col("dose_amount_min"), unit)
    max_unit = pl.coalesce(pl.col("max_unit"), unit)
    maximum, maximum_unit = active_amount(
        pl.col("max_per_day") * pl.col("laterality").fill_null(1), max_unit
    )
    return [
        pl.when(~standing)
        .then(None)
        .when(patch_rate)
        .then(patch_amount)
        .otherwise(daily)
        .cast(pl.Float64)
        .round(9)
        .alias("daily_amount"),
        pl.when(~standing)
        .then(None)
        .when(patch_rate)
        .then(patch_amount)
        .otherwise(daily_min)
        .cast(pl.Float64)
        .round(9)
        .alias("daily_amount_min"),
        pl.when(~standing)
        .then(None)
        .when(patch_rate)
        .then(pl.lit("mg"))
        .otherwise(daily_unit)
        .cast(pl.String)
        .alias("daily_amount_unit"),
        pl.when(pl.col("max_per_day").is_not_null())
        .then(maximum)
        .cast(pl.Float64)
        .round(9)
        .alias("max_amount"),
        pl.when(pl.col("max_per_day").is_not_null())
        .then(maximum_unit)
        .cast(pl.String)
        .alias("max_amount_unit"),
        per_dose.cast(pl.Float64).round(9).alias("dose_amount"),
        per_dose_min.cast(pl.Float64).round(9).alias("dose_amount_low"),
        per_dose_unit.cast(pl.String).alias("dose_amount_unit"),
    ]

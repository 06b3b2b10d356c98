"""The daily amount of a line (``daily_amount``, ``daily_amount_unit``) as polars expressions.

Units per day (from the dose) times the strength, for pieces, masses, units, liquids and
patches, over all lines at once (see ``docs/judging.md``). Used by ``resolve_lines``.
"""

from __future__ import annotations

import polars as pl

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
_MASS_TO_MG = {"mg": 1.0, "g": 1000.0, "mikrogram": 0.001}
_PER_PIECE_UNITS = ("mg", "E", "mmol", "ml", "mg/dos", "E/dos", "mmol/dos")


def daily_amount_columns() -> list[pl.Expr]:
    """daily_amount and its unit from the dose, the strength and the form (see judging.md)."""
    countable = sorted(unit_tables().countable)
    unit = pl.col("dose_unit")
    units = pl.col("daily_units")
    strength = pl.col("strength_value")
    strength_unit = pl.col("strength_unit").str.split(" + ").list.first()
    # "1x2" or Pascal's time columns name no unit: a tablet, capsule, suppository or patch
    # form says the amount counts pieces.
    piece = unit.is_in(countable) | (unit.is_null() & pl.col("form_class").is_in(PIECE_FORMS))
    patch_rate = piece & (unit.eq("plåster") | pl.col("form_class").eq("patch"))
    mass_factor = unit.replace_strict(_MASS_TO_MG, default=None, return_dtype=pl.Float64)
    standing = units.is_not_null() & ~pl.col("dose_as_needed").fill_null(False)
    amount = (
        pl.when(~standing)
        .then(None)
        .when(patch_rate & strength_unit.eq("mg/timme"))
        .then(pl.col("dose_amount_max") * strength * 24.0)
        .when(patch_rate & strength_unit.eq("mg/dygn"))
        .then(pl.col("dose_amount_max") * strength)
        .when(piece & strength_unit.is_in(_PER_PIECE_UNITS) & strength.is_not_null())
        .then(units * strength)
        .when(mass_factor.is_not_null())
        .then(units * mass_factor)
        .when(unit.eq("E"))
        .then(units)
        .when(unit.eq("ml") & strength_unit.is_in(["mg/ml", "E/ml", "mmol/ml"]))
        .then(units * strength)
        .when(unit.eq("ml"))
        .then(units)
        .otherwise(None)
    )
    amount_unit = (
        pl.when(~standing)
        .then(None)
        .when(patch_rate & strength_unit.is_in(["mg/timme", "mg/dygn"]))
        .then(pl.lit("mg"))
        .when(piece & strength_unit.is_in(_PER_PIECE_UNITS) & strength.is_not_null())
        .then(strength_unit.str.replace("/dos", "", literal=True))
        .when(mass_factor.is_not_null())
        .then(pl.lit("mg"))
        .when(unit.eq("E"))
        .then(pl.lit("E"))
        .when(unit.eq("ml") & strength_unit.is_in(["mg/ml", "E/ml", "mmol/ml"]))
        .then(strength_unit.str.replace("/ml", "", literal=True))
        .when(unit.eq("ml"))
        .then(pl.lit("ml"))
        .otherwise(None)
    )
    return [
        amount.cast(pl.Float64).round(9).alias("daily_amount"),
        amount_unit.cast(pl.String).alias("daily_amount_unit"),
    ]

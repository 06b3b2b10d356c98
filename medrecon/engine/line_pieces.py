"""Every line's readable pieces, built as polars string expressions over whole columns.

``with_display_columns`` gives each line its daily amount ("40 mg/dygn"), Pascal's time
columns ("Morgon 1, Middag 1"), a one-line description and its daily amount per substance;
``explain`` combines these pieces of a finding's two sides into sentences.
"""

from __future__ import annotations

import polars as pl

from medrecon.schema import PASCAL
from medrecon.swedish import amount, amount_range, counted, given_in_micrograms, number

_SLOT_NAMES = (
    ("dose_morning", "Morgon"),
    ("dose_noon", "Middag"),
    ("dose_evening", "Kväll"),
    ("dose_night", "Natt"),
)


def _standing_amount() -> pl.Expr:
    """A standing dose's amount, as a range when it is one ("1,5–3 g/dygn"); in units
    ("6 tabletter/dygn") when the strength gives no amount. Per week or every other day
    when given so, else per day."""
    interval = pl.col("interval_days")
    days = pl.when(interval == 7).then(7.0).when(interval == 2).then(2.0).otherwise(1.0)
    per = (
        pl.when(interval == 7)
        .then(pl.lit("/vecka"))
        .when(interval == 2)
        .then(pl.lit(" varannan dag"))
        .otherwise(pl.lit("/dygn"))
    )
    high = pl.col("daily_amount") * days
    low = pl.coalesce("daily_amount_min", "daily_amount") * days
    units = pl.col("daily_units") * days
    units_low = pl.coalesce("daily_units_min", "daily_units") * days
    by_amount = amount_range(low, high, pl.col("daily_amount_unit"), pl.col("_micro"), per)
    by_units = counted(units_low, units, pl.col("dose_unit"), per)
    return pl.coalesce(
        pl.when(high.is_not_null() & pl.col("daily_amount_unit").is_not_null()).then(by_amount),
        by_units,
    )


def _slots_text() -> pl.Expr:
    """Pascal's time columns as "Morgon 1, Middag 1" (null when none is given)."""
    parts = [
        pl.when(pl.col(col).is_not_null() & (pl.col(col) != 0)).then(
            pl.concat_str(pl.lit(name + " "), number(pl.col(col)))
        )
        for col, name in _SLOT_NAMES
    ]
    text = pl.concat_str(parts, separator=", ", ignore_nulls=True)
    return pl.when(text != "").then(text)


def _strength_unit() -> pl.Expr:
    """The mass (or E, ml) of one piece: "mg" of "mg/ml" or of "mg + mg"."""
    return pl.col("strength_unit").str.split(" + ").list.first().str.extract(r"^([^/]+)", 1)


def _component_parts(lines: pl.DataFrame) -> pl.DataFrame:
    """``_row, _parts``: each line's daily amount per substance (list of structs).

    A single-substance line gives its daily amount; a combination gives units per day
    times each component's strength (``strength_values`` follow ``substances``).
    """
    single = pl.col("substances").list.len() == 1
    amounts = (
        pl.when(single)
        .then(pl.concat_list(pl.col("daily_amount")))
        .otherwise(pl.col("strength_values") * pl.col("daily_units"))
    )
    unit = pl.when(single).then(pl.col("daily_amount_unit")).otherwise(_strength_unit())
    base = lines.select("_row", "substances", _amounts=amounts, _unit=unit, _micro="_micro")
    long = (
        base.with_columns(_i=pl.int_ranges(pl.col("substances").list.len()))
        .explode("substances", "_i", empty_as_null=False)
        .filter(pl.col("substances").is_not_null())
    )
    part = pl.struct(
        substance="substances",
        amount=pl.col("_amounts").list.get(pl.col("_i"), null_on_oob=True),
        unit="_unit",
        micro="_micro",
    )
    parts = long.group_by("_row").agg(_parts=part)
    return lines.select("_row").join(parts, on="_row", how="left").select("_row", "_parts")


def with_display_columns(lines: pl.DataFrame) -> pl.DataFrame:
    """Add ``_amount_txt``, ``_slots_txt``, ``_dose_desc``, ``_line_desc`` and ``_parts``."""
    lines = lines.with_columns(_micro=given_in_micrograms(pl.col("strength_text")))
    daily = _standing_amount()
    max_amount, max_unit = pl.col("max_amount"), pl.col("max_amount_unit")
    prn_max = pl.when(max_amount.is_not_null()).then(
        pl.concat_str(
            pl.lit("högst "),
            pl.when(max_unit.is_in(["mg", "E", "ml", "mmol"]))
            .then(pl.concat_str(amount(max_amount, max_unit, pl.col("_micro")), pl.lit("/dygn")))
            .otherwise(
                counted(pl.lit(None, pl.Float64), max_amount, max_unit.fill_null("st"), "/dygn")
            ),
        )
    )
    amount_txt = pl.when(pl.col("_prn")).then(prn_max).otherwise(daily)
    slots = _slots_text()
    text = pl.col("dosing_text").str.strip_chars()
    dose_desc = pl.coalesce(
        pl.when(pl.col("source") == PASCAL).then(slots),
        pl.when(text != "").then(text),
        pl.lit("ingen dosering angiven"),
    )
    product = pl.coalesce(
        pl.col("product_text"), pl.col("substance_text"), pl.lit("okänt läkemedel")
    )
    shown = lines.with_columns(
        _amount_txt=amount_txt, _slots_txt=slots, _dose_desc=dose_desc
    ).with_columns(_line_desc=pl.concat_str(product, pl.lit(" · "), pl.col("_dose_desc")))
    return shown.join(_component_parts(shown), on="_row", how="left")

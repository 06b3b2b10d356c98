"""Split and combination pairs judged on totals: ``group_equal`` per pair.

A split pair (Levaxin 50 + 25 mikrog against 75 mikrog) compares the sides' summed daily
amounts. A combination pair compares each substance's daily amount: the combination's
strengths times its units a day against the parts on the other side (single products
count their daily amount, smaller combinations their strengths times their units), as
sorted lists, because a combination's strengths need not follow the alphabetical order
of its substances.
"""

from __future__ import annotations

import polars as pl


def close(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Equal up to rounding (daily amounts are products of parsed fractions)."""
    return (a - b).abs() <= 1e-6 * pl.max_horizontal(a.abs(), b.abs()) + 1e-9


def group_totals(pairs: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """``group_equal`` per split/combination pair: totals (per component) equal or not."""
    split = pairs.filter(pl.col("mechanism") == "split").select(
        "pair_id",
        group_equal=pl.when(
            pl.col("c_total").is_not_null()
            & pl.col("p_total").is_not_null()
            & (pl.col("c_daily_amount_unit") == pl.col("p_daily_amount_unit"))
        ).then(close(pl.col("c_total"), pl.col("p_total"))),
    )
    combos = pairs.filter(pl.col("mechanism") == "combination").select(
        "pair_id", "c_rows", "p_rows", combo_c=pl.col("c_rows").list.len() == 1
    )
    combo_rows = combos.select(
        "pair_id", _row=pl.when("combo_c").then("c_rows").otherwise("p_rows").list.first()
    )
    part_rows = combos.select(
        "pair_id", _row=pl.when("combo_c").then("p_rows").otherwise("c_rows")
    ).explode("_row", empty_as_null=False)
    amounts = lines.select(
        "_row",
        "substances",
        "strength_values",
        "strength_unit",
        "daily_units",
        "dose_understood",
        "daily_amount",
        "daily_amount_unit",
    )
    # Daily amount per component on each side, compared as sorted lists: the order of a
    # combination's strengths need not follow the (alphabetical) order of its substances.
    combo_amounts = (
        combo_rows.join(amounts, on="_row")
        .explode("strength_values", empty_as_null=False)
        .group_by("pair_id")
        .agg(
            combo=(pl.col("daily_units") * pl.col("strength_values")).sort(),
            combo_unit=pl.col("strength_unit").first().str.extract(r"^([^/]+)", 1),
            combo_known=pl.col("dose_understood").all(),
        )
    )
    # A part that is itself a combination (Sinemet against Stalevo) counts per component.
    part_amounts = (
        part_rows.join(amounts, on="_row")
        .with_columns(
            part=pl.when(pl.col("substances").list.len() > 1)
            .then(pl.col("strength_values") * pl.col("daily_units"))
            .otherwise(pl.concat_list("daily_amount")),
            part_unit=pl.when(pl.col("substances").list.len() > 1)
            .then(pl.col("strength_unit").str.extract(r"^([^/]+)", 1))
            .otherwise("daily_amount_unit"),
        )
        .group_by("pair_id")
        .agg(
            parts=pl.col("part").explode(empty_as_null=False).sort(),
            parts_unit=pl.col("part_unit").unique(),
        )
    )
    both = combo_amounts.join(part_amounts, on="pair_id", how="inner")
    comparable = (
        pl.col("combo_known").fill_null(False)
        & (pl.col("combo").list.len() == pl.col("parts").list.len())
        & (pl.col("combo").list.drop_nulls().list.len() == pl.col("combo").list.len())
        & (pl.col("parts").list.drop_nulls().list.len() == pl.col("parts").list.len())
        & (pl.col("parts_unit").list.len() == 1)
        & (pl.col("parts_unit").list.first() == pl.col("combo_unit"))
    )
    both = both.with_columns(_comparable=comparable.fill_null(False))
    # List arithmetic needs equal lengths, so only comparable rows are computed.
    same = both.filter("_comparable")
    differences = (pl.col("combo") - pl.col("parts")).list.eval(pl.element().abs()).list.max()
    scale = pl.col("combo").list.max().abs() + 1e-9
    decided = same.select("pair_id", group_equal=differences <= 1e-6 * scale)
    undecided = both.filter(~pl.col("_comparable")).select(
        "pair_id", group_equal=pl.lit(None, pl.Boolean)
    )
    combo_equal = pl.concat([decided, undecided])
    return pl.concat([split, combo_equal.cast({"pair_id": split.schema["pair_id"]})])

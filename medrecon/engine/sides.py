"""The two sides of a pair or finding, gathered from their lines into one wide row.

A pair or a finding names rows on each side (``c_rows`` / ``p_rows``). ``with_sides``
explodes them, joins the lines, aggregates per side and puts the Cosmic side in ``c_*``
and the Pascal side in ``p_*`` columns of the same row, so judging and explaining are
plain column expressions. A side of several lines (split, combination, duplicate) takes
the first line's attributes by line id, the sum of their daily amounts, and all their ids.
"""

from __future__ import annotations

import polars as pl

# Attributes taken from the first line of a side (by line id): what judging reads ...
JUDGE_COLUMNS = (
    "substance",
    "resolved_atc",
    "_subst",
    "_prn",
    "route",
    "form_class",
    "form_source",
    "dispensing",
    "strength_value",
    "dose_understood",
    "dose_has_steps",
    "daily_units",
    "daily_units_min",
    "daily_amount",
    "daily_amount_min",
    "daily_amount_unit",
    "dose_amount",
    "dose_amount_low",
    "dose_amount_unit",
    "max_amount",
    "max_amount_unit",
    "times_per_day",
    "times_stated",
    "interval_days",
    "max_per_day",
    "slot_morning",
    "slot_noon",
    "slot_evening",
    "slot_night",
)
# ... and what explanations read besides (only gathered for findings, not for every pair).
DISPLAY_COLUMNS = (
    *JUDGE_COLUMNS,
    "route_text",
    "form_text",
    "status",
    "dose_unit",
    "strength_text",
    "end_date",
    "_amount_txt",
    "_dose_desc",
    "_slots_txt",
    "product_text",
    "dosing_text",
    "substances",
    "strength_values",
    "_micro",
)


_LINE_COLUMNS = ("_row", "_id_rank", "line_id", "_ended", "_high_risk", "_dosing_key")
_DISPLAY_LINE_COLUMNS = ("_content", "_line_desc", "_parts", "_changed")


def _needed(lines: pl.DataFrame, first: tuple[str, ...], display: bool) -> pl.DataFrame:
    """Only the columns a side is built from: a join copies every column it carries."""
    extra = _DISPLAY_LINE_COLUMNS if display else ()
    return lines.select(list(dict.fromkeys([*_LINE_COLUMNS, *extra, *first])))


def _single(
    frame: pl.DataFrame, key: str, rows: str, lines: pl.DataFrame, display: bool
) -> pl.DataFrame:
    """Sides of exactly one line (almost all of them): a plain join, no grouping."""
    first = DISPLAY_COLUMNS if display else JUDGE_COLUMNS
    one = frame.filter(pl.col(rows).list.len() == 1).select(key, _row=pl.col(rows).list.first())
    extra = (
        {
            "contents": pl.concat_list("_content"),
            "descs": pl.concat_list("_line_desc"),
            "parts": pl.col("_parts"),
            "changed": pl.col("_changed"),
        }
        if display
        else {}
    )
    return one.join(_needed(lines, first, display), on="_row", how="inner").select(
        key,
        *first,
        ids=pl.concat_list("line_id"),
        n=pl.lit(1, pl.UInt32),
        ended=pl.col("_ended"),
        high_risk=pl.col("_high_risk"),
        total=pl.when(pl.col("daily_amount_unit").is_not_null()).then(pl.col("daily_amount")),
        dosing_keys=pl.col("_dosing_key"),
        **extra,
    )


def _multi(
    frame: pl.DataFrame, key: str, rows: str, lines: pl.DataFrame, display: bool
) -> pl.DataFrame:
    """Sides of several lines: the first line's attributes, summed amounts, all ids."""
    first = DISPLAY_COLUMNS if display else JUDGE_COLUMNS
    long = frame.filter(pl.col(rows).list.len() > 1).select(key, _row=rows)
    long = long.explode("_row", empty_as_null=False)
    joined = long.join(_needed(lines, first, display), on="_row", how="inner")
    joined = joined.sort(key, "_id_rank", "_row")
    amount_known = pl.col("daily_amount").null_count() == 0
    extra = (
        {
            "contents": pl.col("_content").sort(),
            "descs": pl.col("_line_desc"),
            "parts": pl.col("_parts").explode(empty_as_null=False),
            "changed": pl.col("_changed").max(),
        }
        if display
        else {}
    )
    return joined.group_by(key).agg(
        pl.col(list(first)).first(),
        ids=pl.col("line_id"),
        n=pl.len(),
        ended=pl.col("_ended").all(),
        high_risk=pl.col("_high_risk").any(),
        total=pl.when(amount_known & (pl.col("daily_amount_unit").n_unique() == 1)).then(
            pl.col("daily_amount").sum()
        ),
        dosing_keys=pl.col("_dosing_key").sort().str.join("\x1f"),
        **extra,
    )


def with_sides(
    frame: pl.DataFrame, key: str, lines: pl.DataFrame, *, display: bool = True
) -> pl.DataFrame:
    """``frame`` (with ``key``, ``c_rows``, ``p_rows``) plus ``c_*`` and ``p_*`` columns.

    ``display=False`` gathers only what judging needs (cheaper for millions of pairs);
    ``display=True`` needs the lines' display columns (``line_pieces.with_display_columns``).
    """
    out = frame
    for rows, prefix in (("c_rows", "c_"), ("p_rows", "p_")):
        single = _single(frame, key, rows, lines, display)
        multi = _multi(frame, key, rows, lines, display)
        part = pl.concat([single, multi.select(single.columns).cast(single.schema)])
        part = part.rename({c: prefix + c for c in part.columns if c != key})
        out = out.join(part, on=key, how="left")
    return out.with_columns(
        pl.col("c_n", "p_n").fill_null(0),
        pl.col("c_ids", "p_ids").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    )

"""Duplicates: one substance twice in one system's list of active prescriptions.

Two lines are a duplicate pair when they share a substance that counts
(``duplicate_substances``: Movicol's salts do not count) - also when one or both are
combination products (paracetamol alone and paracetamol + kodein; timolol in two eye-drop
combinations) - or, without a resolved substance, the same ATC-7 code and form class.
They are *not* a duplicate when:

- they are one regimen: a standing line and an as-needed line in different form classes
  or by different routes (a depot tablet with an immediate-release tablet or an oral
  solution as needed; oral with an injection);
- they are a split dose: standing single-substance lines of different strengths (Levaxin
  50 + 25 mikrog), unless one of them alone is paired with the other side's line and
  another is not (it is the order both systems mean; the rest is a second order).

A group of duplicate lines is one finding that lists every line of the group; its
substance is the one they share. The group's other lines need no ``missing_in_*``: when
one is paired the rest are covered, and when none is paired the first by line id still
reports the missing drug.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

_SIDE = ["_pid", "_is_cosmic"]


@dataclass(frozen=True)
class Duplicates:
    findings: pl.DataFrame  # raw findings (``judging.RAW_SCHEMA``)
    covered: pl.DataFrame  # ``_row`` of lines that need no missing_in_* finding


def _components(active: pl.DataFrame) -> pl.DataFrame:
    """One row per (line, substance that counts), or ATC-7 and form without a substance."""
    by_atc = pl.when(pl.col("resolved_atc").str.len_chars() == 7).then(
        pl.concat_list(
            pl.concat_str(
                pl.lit("atc:"), "resolved_atc", pl.lit("|"), pl.col("form_class").fill_null("")
            )
        )
    )
    keys = (
        pl.when(pl.col("duplicate_substances").list.len() > 0)
        .then(pl.col("duplicate_substances"))
        .otherwise(by_atc)
    )
    return (
        active.with_columns(_component=keys)
        .explode("_component", empty_as_null=False)
        .filter(pl.col("_component").is_not_null())
    )


def _pairs(long: pl.DataFrame) -> pl.DataFrame:
    """Every two lines of one side that share a component, with why they may not count."""
    cols = ["_row", "_prn", "form_class", "route", "strength_value", "_single"]
    left = long.select(*_SIDE, "_component", *cols)
    right = left.rename({c: c + "_b" for c in cols})
    both = left.join(right, on=[*_SIDE, "_component"]).filter(pl.col("_row") < pl.col("_row_b"))

    def known_differ(name: str) -> pl.Expr:
        a, b = pl.col(name), pl.col(name + "_b")
        known = a.is_not_null() & b.is_not_null() & (a != "unknown") & (b != "unknown")
        return (known & (a != b)).fill_null(False)

    regimen = (pl.col("_prn") != pl.col("_prn_b")) & (
        known_differ("form_class") | known_differ("route")
    )
    split = (
        ~pl.col("_prn")
        & ~pl.col("_prn_b")
        & pl.col("_single")
        & pl.col("_single_b")
        & pl.col("strength_value").is_not_null()
        & pl.col("strength_value_b").is_not_null()
        & ((pl.col("strength_value") - pl.col("strength_value_b")).abs() > 1e-9)
    )
    return both.with_columns(_regimen=regimen, _split=split.fill_null(False))


def find_duplicates(
    active: pl.DataFrame, paired: pl.DataFrame, paired_alone: pl.DataFrame
) -> Duplicates:
    """Duplicate findings among ``active`` lines (``paired``: rows in any pair;
    ``paired_alone``: rows paired one line to one line)."""
    long = _components(active.with_columns(_single=pl.col("duplicate_substances").list.len() <= 1))
    pairs = _pairs(long).filter(~pl.col("_regimen"))
    if pairs.is_empty():
        empty = pl.DataFrame(schema={"_row": pl.UInt32()})
        return Duplicates(_no_findings(), empty)
    # Lines connected through counted pairs form one group per side and component.
    edges = pl.concat(
        [
            pairs.select(*_SIDE, "_component", "_split", _row="_row"),
            pairs.select(*_SIDE, "_component", "_split", _row="_row_b"),
        ]
    )
    alone = paired_alone.select(_row="r", _alone=pl.lit(True)).unique("_row")
    any_pair = paired.select(_row="r", _paired=pl.lit(True)).unique("_row")
    members = (
        edges.group_by(*_SIDE, "_component", "_row")
        .agg(_split=pl.col("_split").all())
        .join(alone, on="_row", how="left")
        .join(any_pair, on="_row", how="left")
        .join(active.select("_row", "_id_rank", "substance"), on="_row", how="left")
        .sort("_id_rank", "_row")
    )
    groups = members.group_by(*_SIDE, "_component", maintain_order=True).agg(
        rows=pl.col("_row"),
        all_split=pl.col("_split").all(),
        any_alone=pl.col("_alone").fill_null(False).any(),
        all_paired=pl.col("_paired").fill_null(False).all(),
        substances=pl.col("substance").unique(),
    )
    # A split group is a dose, unless one line alone is the other side's order.
    is_duplicate = ~pl.col("all_split") | (pl.col("any_alone") & ~pl.col("all_paired"))
    groups = groups.filter(is_duplicate).with_columns(
        # the substance the lines share: the component, or all of it when one substance
        named=pl.when(pl.col("substances").list.len() == 1)
        .then(pl.col("substances").list.first())
        .otherwise(pl.col("_component").str.replace(r"^atc:.*", ""))
    )
    # Two combinations that share two components are one finding, not two.
    groups = groups.with_columns(_key=pl.col("rows").list.sort()).unique(
        [*_SIDE, "_key"], keep="first", maintain_order=True
    )
    findings = groups.select(
        "_pid",
        kind=pl.lit("duplicate"),
        mechanism=pl.lit(None, pl.String),
        score=pl.lit(None, pl.Float64),
        c_rows=pl.when("_is_cosmic").then("rows").otherwise(pl.lit([], pl.List(pl.UInt32))),
        p_rows=pl.when("_is_cosmic").then(pl.lit([], pl.List(pl.UInt32))).otherwise("rows"),
        named=pl.when(pl.col("named") != "").then("named"),
    )
    covered = _covered(groups, any_pair, active.select("_row", "substance"))
    return Duplicates(findings, covered)


def _covered(
    groups: pl.DataFrame, any_pair: pl.DataFrame, substances: pl.DataFrame
) -> pl.DataFrame:
    """Lines of a duplicate group that need no missing_in_* finding of their own: an
    unpaired line of the same (whole) substance as a paired one, or as the group's first
    line. A line that brings more (Citodon beside Alvedon: kodein) is still missing."""
    members = (
        groups.with_row_index("_group")
        .select("_group", _row="rows", _rank=pl.int_ranges(pl.col("rows").list.len()))
        .explode("_row", "_rank", empty_as_null=False)
        .join(any_pair, on="_row", how="left")
        .join(substances, on="_row", how="left")
        .with_columns(pl.col("_paired").fill_null(False), pl.col("substance").fill_null(""))
        .with_columns(
            _same_paired=pl.col("_paired").any().over("_group", "substance"),
            _same_first=pl.col("_rank").min().over("_group", "substance") < pl.col("_rank"),
        )
    )
    covered = members.filter(~pl.col("_paired") & (pl.col("_same_paired") | pl.col("_same_first")))
    return covered.select("_row").unique()


def _no_findings() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "_pid": pl.UInt32(),
            "kind": pl.String(),
            "mechanism": pl.String(),
            "score": pl.Float64(),
            "c_rows": pl.List(pl.UInt32()),
            "p_rows": pl.List(pl.UInt32()),
            "named": pl.String(),
        }
    )

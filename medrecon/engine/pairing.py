"""Pairing a patient's Cosmic lines with their Pascal lines, for all patients at once.

Tiers, in the order of ``PAIRING_STEPS`` (docs/judging.md); a line paired in one step
is not offered to a later one. Split-strength groups are taken out before the exact
tiers: otherwise the substance tier would pair the single line with one member of the
group and report the other as missing, which is exactly what the split step prevents.

Within a tier, candidate pairs (joins on patient and key) are resolved one-to-one by
repeated *mutual best choice*: a candidate is accepted when each side is the other's
best by (fewest ended sides, same as-needed flag, closest strength, line ids). The
global best candidate is always mutual, so every round accepts at least one pair per
contested group and the loop ends after as many rounds as the largest group has lines.

Result: one row per pair with ``mechanism``, ``score`` and the rows (``_row``) of the
lines on each side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz, process, utils

PAIR_SCHEMA: dict[str, pl.DataType] = {
    "_pid": pl.UInt32(),
    "mechanism": pl.String(),
    "score": pl.Float64(),
    "c_rows": pl.List(pl.UInt32()),
    "p_rows": pl.List(pl.UInt32()),
}

# Lean on purpose: every tier filters and joins this frame, and each copy costs memory
# in proportion to its columns. Texts and lists are fetched from the lines for the few
# rows that need them (fuzzy, combination).
_POOL_COLUMNS = (
    "_row",
    "_pid",
    "_id_rank",
    "_nid",
    "_aid",
    "_sid",
    "_n_subst",
    "strength_value",
    "_ended",
    "_prn",
    "_is_cosmic",
    "daily_amount",
    "_times",
    "_max_daily",
)
_COSTS = ("cost_ended", "cost_prn", "cost_strength", "cost_amount", "cost_times")
_COST_INPUTS = ("_id_rank", "strength_value", "_ended", "_prn", "daily_amount", "_times")


def _side(pool: pl.DataFrame, cosmic: bool, prefix: str, keys: list[str]) -> pl.DataFrame:
    """One system's unpaired lines with the columns a tier needs, prefixed ``c_``/``p_``."""
    columns = [*_COST_INPUTS, *keys]
    return pool.filter(pl.col("_is_cosmic") == cosmic).select(
        "_pid",
        pl.col("_row").alias(prefix + "row"),
        *[pl.col(c).alias(prefix + c) for c in dict.fromkeys(columns)],
    )


def _costs(frame: pl.DataFrame) -> pl.DataFrame:
    """Preference order of candidate pairs (lower is better)."""
    c_str, p_str = pl.col("c_strength_value"), pl.col("p_strength_value")
    return frame.with_columns(
        cost_ended=pl.col("c__ended").cast(pl.Int8) + pl.col("p__ended").cast(pl.Int8),
        cost_prn=(pl.col("c__prn") != pl.col("p__prn")).cast(pl.Int8),
        cost_strength=_relative_difference(c_str, p_str),
        # Among otherwise equal candidates, lines that agree on the dose pair first: two
        # lines of one drug on each side are then paired as the prescriber meant them.
        cost_amount=_relative_difference(pl.col("c_daily_amount"), pl.col("p_daily_amount")),
        cost_times=(pl.col("c__times") != pl.col("p__times")).cast(pl.Int8).fill_null(1),
    )


def _relative_difference(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """0 for equal values, up to 1 for very different ones, 2 when either is unknown."""
    return ((a - b).abs() / pl.max_horizontal(a.abs(), b.abs())).fill_nan(0.0).fill_null(2.0)


def _mutual_best(cand: pl.DataFrame, costs: tuple[str, ...]) -> pl.DataFrame:
    """One-to-one pairs out of candidates: repeatedly accept mutual best choices."""
    order = [*costs, "c__id_rank", "p__id_rank", "c_row", "p_row"]
    cand = cand.sort(order, nulls_last=True)
    accepted: list[pl.DataFrame] = []
    while cand.height:
        best_for_c = cand.group_by("c_row", maintain_order=True).agg(pl.col("p_row").first())
        best_for_p = cand.group_by("p_row", maintain_order=True).agg(pl.col("c_row").first())
        mutual = best_for_c.join(best_for_p, on=["c_row", "p_row"], how="inner")
        accepted.append(cand.join(mutual, on=["c_row", "p_row"], how="semi"))
        cand = cand.join(mutual.select("c_row"), on="c_row", how="anti").join(
            mutual.select("p_row"), on="p_row", how="anti"
        )
    if not accepted:
        return cand
    return pl.concat(accepted)


def _as_pairs(frame: pl.DataFrame, mechanism: str, score: pl.Expr) -> pl.DataFrame:
    return frame.select(
        "_pid",
        mechanism=pl.lit(mechanism),
        score=score.cast(pl.Float64),
        c_rows=pl.concat_list(pl.col("c_row")),
        p_rows=pl.concat_list(pl.col("p_row")),
    )


def _split_groups(lines: pl.DataFrame) -> pl.DataFrame:
    """Several standing strengths of one substance on one side against one line.

    Not a split when the group adds up to more than the substance's maximum daily dose
    ("Alvedon forte 1 g x 3" and "Paracetamol 500 mg 2 x 3": 6 g): those are two orders
    for one drug, a duplicate (``judging``), and the line that is the other side's dose is
    paired with it by the single-line tiers.
    """
    group = ["_pid", "_sid", "_is_cosmic"]
    active = lines.select(
        "_row",
        "_pid",
        "_sid",
        "_is_cosmic",
        "_prn",
        "strength_value",
        "_ended",
        "daily_amount",
        "_max_daily",
    ).filter(~pl.col("_ended") & pl.col("_sid").is_not_null())
    counts = active.group_by(group).len()
    several = counts.filter(pl.col("len") >= 2)
    single = counts.filter(pl.col("len") == 1).select("_pid", "_sid", other_cosmic="_is_cosmic")
    # Only the few (patient, substance) with several lines on one side and one on the other
    # are looked at line by line.
    keys = several.join(single, on=["_pid", "_sid"]).filter(
        pl.col("_is_cosmic") != pl.col("other_cosmic")
    )
    members = active.join(keys.select(group), on=group, how="semi")
    groups = members.group_by(group).agg(
        n=pl.len(),
        n_standing=(~pl.col("_prn")).sum(),
        n_strengths=pl.col("strength_value").drop_nulls().n_unique(),
        rows=pl.col("_row").sort(),
        total=pl.when(pl.col("daily_amount").null_count() == 0).then(pl.col("daily_amount").sum()),
        limit=pl.col("_max_daily").first(),
    )
    split = groups.filter(
        (pl.col("n_standing") == pl.col("n")) & (pl.col("n_strengths") == pl.col("n"))
    )
    others = active.join(
        split.select("_pid", "_sid", _is_cosmic=~pl.col("_is_cosmic")),
        on=group,
        how="semi",
    ).select("_pid", "_sid", other_rows=pl.concat_list("_row"))
    over_limit = (pl.col("total") > pl.col("limit") * (1 + 1e-9)).fill_null(False)
    joined = split.filter(~over_limit).join(others, on=["_pid", "_sid"])
    return joined.select(
        "_pid",
        mechanism=pl.lit("split"),
        score=pl.lit(1.0),
        c_rows=pl.when(pl.col("_is_cosmic")).then(pl.col("rows")).otherwise(pl.col("other_rows")),
        p_rows=pl.when(pl.col("_is_cosmic")).then(pl.col("other_rows")).otherwise(pl.col("rows")),
    )


def _exact_tier(c: pl.DataFrame, p: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    left = c.filter(pl.all_horizontal(pl.col("c_" + k).is_not_null() for k in keys))
    right = p.filter(pl.all_horizontal(pl.col("p_" + k).is_not_null() for k in keys))
    cand = left.join(
        right,
        left_on=["_pid", *["c_" + k for k in keys]],
        right_on=["_pid", *["p_" + k for k in keys]],
        how="inner",
        coalesce=False,
    ).drop("_pid_right", strict=False)
    return _mutual_best(_costs(cand), _COSTS)


def _fuzzy_tier(c: pl.DataFrame, p: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Pairs by substance-text similarity, for lines where a side is unresolved.

    Two lines both resolved to different substances are different drugs, however similar
    their names: they are never offered here.
    """
    c = c.filter(pl.col("c__fuzzy_text").is_not_null())
    p = p.filter(pl.col("p__fuzzy_text").is_not_null())
    c_open, p_open = pl.col("c__sid").is_null(), pl.col("p__sid").is_null()
    cand = pl.concat(
        [
            c.filter(c_open).join(p, on="_pid", how="inner"),
            c.filter(~c_open).join(p.filter(p_open), on="_pid", how="inner"),
        ]
    )
    if cand.height == 0:
        return cand.with_columns(similarity=pl.lit(None, pl.Float64))
    texts = cand.select("c__fuzzy_text", "p__fuzzy_text").unique()
    scores = process.cpdist(
        texts["c__fuzzy_text"].to_list(),
        texts["p__fuzzy_text"].to_list(),
        scorer=fuzz.ratio,
        processor=utils.default_process,
        workers=1,
    )
    texts = texts.with_columns(similarity=pl.Series(scores, dtype=pl.Float64))
    cand = cand.join(texts, on=["c__fuzzy_text", "p__fuzzy_text"], how="left").filter(
        pl.col("similarity") >= threshold
    )
    cand = _costs(cand).with_columns(cost_score=-pl.col("similarity"))
    return _mutual_best(cand, ("cost_ended", "cost_score", *_COSTS[1:]))


def _combination_tier(
    pool: pl.DataFrame, lines: pl.DataFrame, *, unmatched_only: bool
) -> pl.DataFrame:
    """A combination product on one side against lines on the other that together hold
    exactly its substances: single products, or smaller combinations (Stalevo =
    levodopa + karbidopa + entakapon against Sinemet = levodopa + karbidopa and Comtess =
    entakapon).

    ``unmatched_only``: only combinations whose own substance has no line on the other
    side. This early pass runs before the split tier, so that the component lines of a
    combination (losartan + hydroklortiazid 12,5 mg) are not taken for a split group with
    another line of one component (hydroklortiazid 25 mg).
    """
    combos = pool.filter(pl.col("_n_subst") >= 2)
    if unmatched_only:
        others = pool.select("_pid", "_sid", _is_cosmic=~pl.col("_is_cosmic"))
        combos = combos.join(others, on=["_pid", "_sid", "_is_cosmic"], how="anti")
    combos = combos.join(lines.select("_row", "substances", "strength_values"), on="_row").select(
        "_pid",
        "_is_cosmic",
        combo_row="_row",
        combo_id="_id_rank",
        combo_strengths="strength_values",
        n_components=pl.col("substances").list.len(),
        component=pl.col("substances"),
    )
    parts = (
        pool.join(combos.select("_pid").unique(), on="_pid", how="semi")
        .join(lines.select("_row", "substances", "strength_values"), on="_row")
        .select(
            "_pid",
            part_cosmic="_is_cosmic",
            part_row="_row",
            part_rank="_id_rank",
            part_ended="_ended",
            part_strengths="strength_values",
            part_size=pl.col("substances").list.len(),
            component="substances",
        )
        .explode("component", empty_as_null=False)
    )
    shared = (
        combos.explode("component", empty_as_null=False)
        .join(parts, on=["_pid", "component"])
        .filter(pl.col("_is_cosmic") != pl.col("part_cosmic"))
    )
    # A part holds only substances of the combination, and fewer of them.
    shared = shared.filter(
        (pl.len().over("combo_row", "part_row") == pl.col("part_size"))
        & (pl.col("part_size") < pl.col("n_components"))
    )
    cand = (
        shared.with_columns(
            # A part whose strengths are all the combination's comes first.
            strength_miss=pl.col("part_strengths")
            .list.set_difference(pl.col("combo_strengths"))
            .list.len()
            .gt(0)
            .fill_null(True)
        )
        # Larger parts first (fewer lines), then the same order on every component, so
        # that a part either covers all its components or none.
        .sort(
            pl.col("part_size"),
            "strength_miss",
            "part_ended",
            "part_rank",
            "part_row",
            descending=[True, False, False, False, False],
        )
        .group_by("combo_row", "component", maintain_order=True)
        .first()
    )
    found = cand.group_by("combo_row").agg(found=pl.len())
    chosen = cand.unique(["combo_row", "part_row"]).join(found, on="combo_row")
    complete = (
        chosen.group_by("combo_row")
        .agg(
            pl.col("_pid", "_is_cosmic", "combo_id", "n_components").first(),
            pl.col("part_row"),
            found=pl.col("found").first(),
            covered=pl.col("part_size").sum(),
        )
        # The chosen parts cover every component, and each once.
        .filter(
            (pl.col("found") == pl.col("n_components"))
            & (pl.col("covered") == pl.col("n_components"))
        )
        .sort("combo_id", "combo_row")
    )
    # A part line serves one combination only: the first by line id keeps it.
    used = complete.explode("part_row", empty_as_null=False).with_columns(
        owner=pl.col("combo_row").first().over("part_row", order_by=["combo_id", "combo_row"])
    )
    lost = used.filter(pl.col("owner") != pl.col("combo_row")).select("combo_row").unique()
    complete = complete.join(lost, on="combo_row", how="anti")
    return complete.select(
        "_pid",
        mechanism=pl.lit("combination"),
        score=pl.lit(1.0),
        c_rows=pl.when(pl.col("_is_cosmic"))
        .then(pl.concat_list(pl.col("combo_row")))
        .otherwise(pl.col("part_row").list.sort()),
        p_rows=pl.when(pl.col("_is_cosmic"))
        .then(pl.col("part_row").list.sort())
        .otherwise(pl.concat_list(pl.col("combo_row"))),
    )


def _key_step(mechanism: str, keys: list[str]) -> PairStep:
    def step(pool: pl.DataFrame, lines: pl.DataFrame, threshold: float) -> pl.DataFrame:
        cand = _exact_tier(_side(pool, True, "c_", keys), _side(pool, False, "p_", keys), keys)
        return _as_pairs(cand, mechanism, pl.lit(1.0))

    return step


def _fuzzy_step(pool: pl.DataFrame, lines: pl.DataFrame, threshold: float) -> pl.DataFrame:
    keys = ["_sid", "_fuzzy_text"]
    texts = pool.join(lines.select("_row", "_fuzzy_text"), on="_row")
    fuzzy = _fuzzy_tier(_side(texts, True, "c_", keys), _side(texts, False, "p_", keys), threshold)
    return _as_pairs(fuzzy, "fuzzy", pl.col("similarity") / 100.0)


PairStep = Callable[[pl.DataFrame, pl.DataFrame, float], pl.DataFrame]


@dataclass(frozen=True)
class PairingStep:
    """One step of the pairing order (docs/judging.md, "Pairing"): the tier it pairs
    by (``kinds.TIER_REGISTRY``) and how. ``pair(pool, lines, fuzzy_threshold)`` gets the
    lines still unpaired and returns pairs in ``PAIR_SCHEMA``."""

    mechanism: str
    pair: PairStep


PAIRING_STEPS: tuple[PairingStep, ...] = (
    PairingStep(
        "combination", lambda pool, lines, _: _combination_tier(pool, lines, unmatched_only=True)
    ),
    PairingStep("split", lambda pool, lines, _: _split_groups(pool)),
    PairingStep("npl", _key_step("npl", ["_nid"])),
    PairingStep("atc", _key_step("atc", ["_aid", "_sid"])),
    PairingStep("substance", _key_step("substance", ["_sid"])),
    PairingStep("fuzzy", _fuzzy_step),
    PairingStep(
        "combination", lambda pool, lines, _: _combination_tier(pool, lines, unmatched_only=False)
    ),
)


def pair_lines(lines: pl.DataFrame, fuzzy_threshold: float) -> pl.DataFrame:
    """All pairs (``PAIR_SCHEMA``) among the prescription lines of ``lines``."""
    # Select before filtering: filtering the wide frame would copy every column.
    pool = (
        lines.select(*_POOL_COLUMNS, "_rx")
        .filter(pl.col("_rx") & pl.col("_pid").is_not_null())
        .drop("_rx")
    )
    found: list[pl.DataFrame] = []
    for step in PAIRING_STEPS:
        pairs = step.pair(pool, lines, fuzzy_threshold)
        found.append(pairs.select(list(PAIR_SCHEMA)).cast(PAIR_SCHEMA))  # type: ignore[arg-type]
        used = pl.concat([pairs.select(r="c_rows"), pairs.select(r="p_rows")]).explode(
            "r", empty_as_null=False
        )
        pool = pool.join(used, left_on="_row", right_on="r", how="anti")
    return pl.concat(found, how="vertical")

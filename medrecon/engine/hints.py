"""Hints beyond the kinds: which system was probably not updated, and a possible switch.

Both are advice for the nurse, not findings: they never create, remove or re-grade a
finding, and they are not part of a finding's fingerprint.

- **Last updated.** Each finding carries the newest last-changed time of its lines on each
  side (Cosmic ``Senast ändrad``, Pascal ``Ändrad``). When both sides have one and they
  fall on different days, the side changed earlier is probably the one nobody updated:
  "Pascal ändrades 2026-11-18, Cosmic senast 2025-03-02: troligen har Cosmic inte
  uppdaterats." (The audit behind medrecon found that most discrepancies arise because
  only one system is updated.) On the same day there is no hint: both were touched.
- **Possible switch.** A ``missing_in_pascal`` and a ``missing_in_cosmic`` of one patient
  whose substances share the first five characters of their ATC codes (the chemical
  subgroup: omeprazol and esomeprazol, A02BC) stay two findings - different substances
  are never paired - but each names the other (``related_ids``) and says so. The
  last-updated hint then compares the two lines.
"""

from __future__ import annotations

import polars as pl

from medrecon.schema import SYSTEM_LABEL

MISSING_KINDS = ("missing_in_pascal", "missing_in_cosmic")
SWITCH_GROUP_LENGTH = 5  # ATC characters: the chemical subgroup (A02BC, C07AB)


def last_change() -> pl.Expr:
    """When a line last changed: its last-changed time, or its end date when it has
    ended since (a planned end date that has passed is a change nobody typed in)."""
    ended_on = pl.when(pl.col("_ended")).then(pl.col("end_date").cast(pl.Datetime("us")))
    return pl.max_horizontal(pl.col("last_changed"), ended_on)


def _day(column: str) -> pl.Expr:
    return pl.col(column).dt.date()


def stale_system(cosmic_changed: str, pascal_changed: str) -> pl.Expr:
    """``cosmic`` / ``pascal``: the side changed on an earlier day; null when unknown."""
    c, p = _day(cosmic_changed), _day(pascal_changed)
    return (
        pl.when(c < p)
        .then(pl.lit("cosmic"))
        .when(p < c)
        .then(pl.lit("pascal"))
        .otherwise(pl.lit(None, pl.String))
    )


def update_sentence(cosmic_changed: str, pascal_changed: str) -> pl.Expr:
    """ "Pascal ändrades 2026-11-18, Cosmic senast 2025-03-02: troligen har Cosmic inte
    uppdaterats." - null unless the sides were changed on different days."""
    stale = stale_system(cosmic_changed, pascal_changed)
    c_day = _day(cosmic_changed).dt.strftime("%Y-%m-%d")
    p_day = _day(pascal_changed).dt.strftime("%Y-%m-%d")
    cosmic, pascal = pl.lit(SYSTEM_LABEL["cosmic"]), pl.lit(SYSTEM_LABEL["pascal"])

    def sentence(new: pl.Expr, new_day: pl.Expr, old: pl.Expr, old_day: pl.Expr) -> pl.Expr:
        return pl.concat_str(
            new,
            pl.lit(" ändrades "),
            new_day,
            pl.lit(", "),
            old,
            pl.lit(" senast "),
            old_day,
            pl.lit(": troligen har "),
            old,
            pl.lit(" inte uppdaterats."),
        )

    return (
        pl.when(stale == "cosmic")
        .then(sentence(pascal, p_day, cosmic, c_day))
        .when(stale == "pascal")
        .then(sentence(cosmic, c_day, pascal, p_day))
    )


_SWITCH_COLUMNS = (
    "cosmic_substance",
    "pascal_substance",
    "group",
    "cosmic_changed",
    "pascal_changed",
)


def possible_switches(findings: pl.DataFrame) -> pl.DataFrame:
    """Pairs of missing findings that may be one switch: ``id``, ``related_id``, the
    Cosmic and Pascal substances, their group and each side's last change."""
    missing = findings.filter(
        pl.col("kind").is_in(MISSING_KINDS)
        & (pl.col("atc").str.len_chars() >= SWITCH_GROUP_LENGTH)
        & pl.col("substance").is_not_null()
    ).select(
        "id",
        "patient_id",
        "kind",
        "substance",
        "cosmic_changed",
        "pascal_changed",
        group=pl.col("atc").str.slice(0, SWITCH_GROUP_LENGTH),
    )
    in_cosmic = missing.filter(pl.col("kind") == "missing_in_pascal")
    in_pascal = missing.filter(pl.col("kind") == "missing_in_cosmic")
    pairs = in_cosmic.join(in_pascal, on=["patient_id", "group"], suffix="_p").filter(
        pl.col("substance") != pl.col("substance_p")
    )
    pairs = pairs.select(
        c_id="id",
        p_id="id_p",
        cosmic_substance="substance",
        pascal_substance="substance_p",
        group="group",
        cosmic_changed="cosmic_changed",
        pascal_changed="pascal_changed_p",
    )
    # Each finding names the other: one row per finding and related finding.
    return pl.concat(
        [
            pairs.rename({"c_id": "id", "p_id": "related_id"}),
            pairs.rename({"p_id": "id", "c_id": "related_id"}).select(
                "id", "related_id", *_SWITCH_COLUMNS
            ),
        ]
    )


def switch_sentence() -> pl.Expr:
    """ "Kan vara ett byte: Cosmic har omeprazol, Pascal esomeprazol (samma grupp A02BC)." """
    return pl.concat_str(
        pl.lit(f"Kan vara ett byte: {SYSTEM_LABEL['cosmic']} har "),
        "cosmic_substance",
        pl.lit(f", {SYSTEM_LABEL['pascal']} "),
        "pascal_substance",
        pl.lit(" (samma grupp "),
        "group",
        pl.lit(")."),
    )


def with_hints(findings: pl.DataFrame) -> pl.DataFrame:
    """Add ``stale_system``, ``related_ids`` and ``hint`` to findings that carry
    ``cosmic_changed`` and ``pascal_changed``."""
    switches = possible_switches(findings)
    per_finding = (
        switches.with_columns(
            sentence=pl.concat_str(
                switch_sentence(),
                update_sentence("cosmic_changed", "pascal_changed"),
                separator=" ",
                ignore_nulls=True,
            ),
            stale=stale_system("cosmic_changed", "pascal_changed"),
        )
        .sort("id", "related_id")
        .group_by("id", maintain_order=True)
        .agg(
            related_ids=pl.col("related_id"),
            switch_hint=pl.col("sentence").str.join(" "),
            switch_stale=pl.col("stale").drop_nulls().first(),
        )
    )
    out = findings.join(per_finding, on="id", how="left", maintain_order="left")
    return out.with_columns(
        related_ids=pl.col("related_ids").fill_null(pl.lit([], pl.List(pl.String))),
        stale_system=pl.coalesce(
            stale_system("cosmic_changed", "pascal_changed"), pl.col("switch_stale")
        ),
        hint=pl.coalesce(update_sentence("cosmic_changed", "pascal_changed"), "switch_hint"),
    ).drop("switch_hint", "switch_stale")

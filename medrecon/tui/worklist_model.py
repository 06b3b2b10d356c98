"""The worklist as one polars frame: built once per load, filtered by expressions.

Nothing here imports textual, so the batch or a test can reuse it. The frame has one row
per patient with the display texts already made, so the screen only has to pick rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from medrecon.engine.patients import surname_first
from medrecon.ids import display_patient_ids
from medrecon.labels import STATUS_LABEL

# Display columns of the worklist table, in order: (frame column, Swedish header).
WORKLIST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name_text", "Namn"),
    ("pnr_text", "Personnummer"),
    ("unit_text", "Enhet"),
    ("n_high", "Hög"),
    ("n_medium", "Medel"),
    ("n_low", "Låg"),
    ("flags_text", "Äldre"),
    ("status_text", "Status"),
)

ALL = "__all__"  # the "no filter" value of every filter


def _first_name_first(name: pl.Expr) -> pl.Expr:
    """ "Efternamn, Förnamn" → "Förnamn Efternamn", so either order can be searched for."""
    return name.str.replace(r"^\s*([^,]*?)\s*,\s*(.*?)\s*$", "${2} ${1}")


def build_worklist(
    patients: pl.DataFrame,
    findings: pl.DataFrame,
    states: pl.DataFrame,
    statuses: pl.DataFrame,
) -> pl.DataFrame:
    """One row per patient: counts of open findings by severity, status and display texts.

    ``states`` is ``store.finding_states`` (id, status, ...); ``statuses`` is
    ``store.patient_statuses`` (patient_id, status). Sorted most severe first.
    """
    open_findings = findings.select("id", "patient_id", "severity").join(
        states.select("id", pl.col("status").alias("state")), on="id", how="left"
    )
    open_findings = open_findings.filter(pl.col("state").fill_null("open") == "open")
    counts = open_findings.group_by("patient_id").agg(
        n_high=(pl.col("severity") == "high").sum().cast(pl.Int64),
        n_medium=(pl.col("severity") == "medium").sum().cast(pl.Int64),
        n_low=(pl.col("severity") == "low").sum().cast(pl.Int64),
    )
    frame = (
        patients.join(counts, on="patient_id", how="left")
        .join(
            statuses.select("patient_id", pl.col("status").alias("review_status")),
            on="patient_id",
            how="left",
        )
        .with_columns(
            pl.col("n_high", "n_medium", "n_low").fill_null(0),
            pl.col("review_status").fill_null("not_reviewed"),
            pl.col("care_unit").fill_null(""),
            surname_first(pl.col("patient_name").fill_null("")),
        )
    )
    n_flags = pl.col("elderly_flags").list.len().fill_null(0)
    frame = frame.with_columns(
        name_text=pl.when(pl.col("incomplete").fill_null(False))
        .then(pl.concat_str(pl.lit("⚠ "), pl.col("patient_name")))
        .otherwise(pl.col("patient_name")),
        pnr_text=display_patient_ids(pl.col("patient_id")),
        unit_text=pl.col("care_unit"),
        flags_text=pl.when(n_flags > 0).then(n_flags.cast(pl.String)).otherwise(pl.lit("–")),
        status_text=pl.col("review_status").replace_strict(
            STATUS_LABEL, default=pl.col("review_status")
        ),
    )
    frame = frame.with_columns(
        # Lower case throughout: reserve numbers are upper case ("19330103SX3K") and the
        # nurse may type them either way. Both name orders; the id with and without dash
        # (the 10-digit forms are substrings of these).
        search_text=pl.concat_str(
            pl.col("patient_name"),
            _first_name_first(pl.col("patient_name")),
            pl.col("patient_id"),
            pl.col("pnr_text"),
            separator="\t",
        ).str.to_lowercase()
    )
    return frame.sort(
        ["n_high", "n_medium", "n_low", "patient_name", "patient_id"],
        descending=[True, True, True, False, False],
    )


@dataclass(frozen=True)
class WorklistFilter:
    """What the nurse typed and chose above the worklist."""

    text: str = ""
    unit: str = ALL
    status: str = ALL
    severity: str = ALL  # "high" | "medium" | "low": has at least one open finding of it

    def expression(self) -> pl.Expr:
        expr = pl.lit(True)
        needle = " ".join(self.text.lower().split())
        if needle:
            # An id typed with or without its dash or plus ("400512+1234", "19330103-sx3k")
            # matches the id without separator; the 10-digit forms are substrings of it.
            compact = needle.replace("-", "").replace("+", "").replace(" ", "")
            expr &= pl.col("search_text").str.contains(needle, literal=True) | pl.col(
                "patient_id"
            ).str.to_lowercase().str.contains(compact, literal=True)
        if self.unit != ALL:
            expr &= pl.col("care_unit") == self.unit
        if self.status != ALL:
            expr &= pl.col("review_status") == self.status
        if self.severity != ALL:
            expr &= pl.col(f"n_{self.severity}") > 0
        return expr


def filter_worklist(frame: pl.DataFrame, flt: WorklistFilter) -> list[str]:
    """Patient ids that pass the filter, in worklist order."""
    return frame.filter(flt.expression()).get_column("patient_id").to_list()


def units(frame: pl.DataFrame) -> list[str]:
    """Distinct care units for the unit filter, sorted; empty units left out."""
    values = frame.get_column("care_unit").unique().drop_nulls().to_list()
    return sorted(v for v in values if v)


def display_rows(frame: pl.DataFrame) -> dict[str, tuple[object, ...]]:
    """Patient id → the cells of its worklist row (built once, reused by every filter)."""
    cols = [c for c, _ in WORKLIST_COLUMNS]
    ids = frame.get_column("patient_id").to_list()
    return dict(zip(ids, frame.select(cols).rows(), strict=True))


def update_patient(
    frame: pl.DataFrame, patient_id: str, counts: dict[str, int], status: str
) -> pl.DataFrame:
    """The worklist after one patient's decisions changed (no re-sort: rows stay put)."""
    hit = pl.col("patient_id") == patient_id
    return frame.with_columns(
        *[
            pl.when(hit).then(pl.lit(v, pl.Int64)).otherwise(pl.col(k)).alias(k)
            for k, v in counts.items()
        ],
        pl.when(hit).then(pl.lit(status)).otherwise(pl.col("review_status")).alias("review_status"),
        pl.when(hit)
        .then(pl.lit(STATUS_LABEL.get(status, status)))
        .otherwise(pl.col("status_text"))
        .alias("status_text"),
    )

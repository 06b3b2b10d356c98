"""The figures on the Sammanfattning sheet, computed from the report's own frames."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from medrecon.labels import KIND_LABEL, SEVERITY_LABEL
from medrecon.report.data import ReportData
from medrecon.schema import KINDS, SEVERITIES

# Severity columns most severe first, as a manager reads them.
SEVERITY_ORDER = tuple(reversed(SEVERITIES))


@dataclass(frozen=True)
class Figures:
    open_total: int
    open_by_severity: dict[str, int]  # code -> count, every severity present
    new_tonight: int
    resolved_since_last: int
    decided: int
    oldest_open_first_seen: dt.date | None
    oldest_open_days: int | None
    patients_total: int
    patients_reconciled: int  # no open findings, or a valid sign-off
    elderly_patients: int
    rejected_rows: int
    incomplete_patients: int = 0  # lists that may lack rows (see "Ofullständigt inlästa")

    @property
    def reconciled_share(self) -> float | None:
        if self.patients_total == 0:
            return None
        return self.patients_reconciled / self.patients_total


def figures(data: ReportData) -> Figures:
    open_ = data.open
    by_sev = dict(open_.group_by("severity").agg(pl.len()).iter_rows())
    oldest = open_.select(
        pl.col("first_seen_date").min().alias("first"), pl.col("days_open").max().alias("days")
    ).row(0)
    patients = data.patients
    reconciled = patients.filter((pl.col("open") == 0) | pl.col("signed_off")).height
    return Figures(
        open_total=open_.height,
        open_by_severity={sev: int(by_sev.get(sev, 0)) for sev in SEVERITY_ORDER},
        new_tonight=int(data.findings["is_new"].sum()),
        resolved_since_last=data.facts.resolved_count,
        decided=data.decided.height,
        oldest_open_first_seen=oldest[0],
        oldest_open_days=None if oldest[1] is None else int(oldest[1]),
        patients_total=patients.height,
        patients_reconciled=reconciled,
        elderly_patients=data.elderly["patient_id"].n_unique() if data.elderly.height else 0,
        rejected_rows=data.rejected.height,
        incomplete_patients=data.incomplete["patient_id"].n_unique()
        if data.incomplete.height
        else 0,
    )


def _severity_pivot(open_: pl.DataFrame, by: str) -> pl.DataFrame:
    """Counts per ``by`` with one column per severity (most severe first) and a total."""
    counts = open_.group_by(by).agg(
        [(pl.col("severity") == sev).sum().cast(pl.Int64).alias(sev) for sev in SEVERITY_ORDER]
    )
    return counts.with_columns(total=pl.sum_horizontal(SEVERITY_ORDER).cast(pl.Int64))


def open_by_unit(data: ReportData) -> pl.DataFrame:
    """Unit, open per severity, total, patients, reconciled share; most open first.

    Every unit with patients is listed, also those with nothing open (good news counts).
    """
    pivot = _severity_pivot(data.open, "care_unit")
    units = data.patients.group_by("care_unit").agg(
        patients=pl.len(),
        reconciled=((pl.col("open") == 0) | pl.col("signed_off")).sum().cast(pl.Int64),
    )
    frame = units.join(pivot, on="care_unit", how="full", coalesce=True).with_columns(
        [pl.col(c).fill_null(0).cast(pl.Int64) for c in (*SEVERITY_ORDER, "total")]
        + [pl.col("patients").fill_null(0), pl.col("reconciled").fill_null(0)]
    )
    frame = frame.with_columns(
        share=pl.when(pl.col("patients") > 0)
        .then(pl.col("reconciled") / pl.col("patients"))
        .otherwise(None)
    )
    return frame.sort(["total", "high", "care_unit"], descending=[True, True, False])


def open_by_kind(data: ReportData) -> pl.DataFrame:
    """Swedish kind label, open per severity, total; most frequent first."""
    pivot = _severity_pivot(data.open, "kind")
    order = pl.DataFrame({"kind": list(KINDS), "order": list(range(len(KINDS)))})
    frame = pivot.join(order, on="kind", how="left").sort(
        ["total", "order", "kind"], descending=[True, False, False], nulls_last=True
    )
    return frame.with_columns(
        label=pl.col("kind").replace_strict(KIND_LABEL, default=pl.col("kind"))
    ).select("label", *SEVERITY_ORDER, "total")


def severity_labels() -> list[str]:
    return [SEVERITY_LABEL[sev] for sev in SEVERITY_ORDER]

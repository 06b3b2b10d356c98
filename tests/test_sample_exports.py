"""The bundled sample exports give exactly the planted findings of expected_findings.csv."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from medrecon.engine import reconcile_files
from medrecon.model import Reconciliation

SAMPLES = Path(__file__).resolve().parents[1] / "sample_exports"
KEY = ["patient_id", "kind", "severity", "substance", "cosmic_ids", "pascal_ids"]


@pytest.fixture(scope="module")
def result() -> Reconciliation:
    return reconcile_files([SAMPLES / "cosmic.csv"], [SAMPLES / "pascal.csv"])


def expected() -> pl.DataFrame:
    frame = pl.read_csv(SAMPLES / "expected_findings.csv", separator=";", infer_schema=False)
    return frame.select(
        "patient_id",
        "kind",
        "severity",
        pl.col("substance").fill_null(""),
        pl.col("cosmic_ids").fill_null(""),
        pl.col("pascal_ids").fill_null(""),
    )


def found(result: Reconciliation) -> pl.DataFrame:
    return result.findings.select(
        "patient_id",
        "kind",
        "severity",
        pl.col("substance").fill_null(""),
        pl.col("cosmic_ids").list.sort().list.join("|"),
        pl.col("pascal_ids").list.sort().list.join("|"),
    )


def test_exactly_the_planted_findings(result: Reconciliation) -> None:
    want, got = expected(), found(result)
    missing = want.join(got, on=KEY, how="anti")
    unexpected = got.join(want, on=KEY, how="anti")
    assert missing.rows() == [], "planted but not found"
    assert unexpected.rows() == [], "found but not planted"
    assert got.height == want.height


def test_every_kind_is_planted_and_found(result: Reconciliation) -> None:
    from medrecon.schema import KINDS

    assert set(result.findings["kind"]) == set(KINDS)


def test_sample_explanations_name_both_sides(result: Reconciliation) -> None:
    dose = result.findings.filter(
        (pl.col("kind") == "dose") & (pl.col("substance") == "furosemid")
    ).row(0, named=True)
    assert "Cosmic 40 mg/dygn" in dose["explanation"]
    assert "Pascal 80 mg/dygn" in dose["explanation"]


def test_rejected_rows_are_listed(result: Reconciliation) -> None:
    rejected = result.rejected
    assert sorted(rejected["source"].unique()) == ["cosmic", "pascal"]
    assert rejected.height == 6
    assert rejected["reason"].null_count() == 0


def test_sample_ids_are_stable(result: Reconciliation) -> None:
    again = reconcile_files([SAMPLES / "cosmic.csv"], [SAMPLES / "pascal.csv"])
    assert sorted(again.findings["id"]) == sorted(result.findings["id"])

"""A row rejected for a mistyped personnummer is not a silent gap in a patient's list."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from medrecon.engine import reconcile_files

SAMPLES = Path(__file__).resolve().parents[2] / "sample_exports"
KARIN = "194005129822"


def _with_cosmic_rows(tmp_path: Path, rows: list[str]) -> Path:
    lines = (SAMPLES / "cosmic.csv").read_text(encoding="utf-8").splitlines()
    target = tmp_path / "cosmic.csv"
    target.write_text("\n".join([*lines, *rows]) + "\n", encoding="utf-8")
    return target


def _row(pnr: str, name: str = "Andersson, Karin", unit: str = "Hemsjukvård Karlstad Norr",
         line_id: str = "C-999001") -> str:  # fmt: skip
    return (
        f"{pnr};{name};{unit};{line_id};Waran tablett 2,5 mg;Warfarin;2,5 mg;Tablett;Oral;"
        "enligt ordination;Stående;2025-01-01;;Aktiv;Recept;Nej;B01AA03;Lena Berg;;"
        "2025-10-01 10:00"
    )


# The samples already plant one such row for this patient (line 9); the tests add another
# at the end of the file and look for that one.
NEW_LINE = len((SAMPLES / "cosmic.csv").read_text(encoding="utf-8").splitlines()) + 1


def _reasons_for_new_row(patient: dict) -> list[str]:  # type: ignore[type-arg]
    prefix = f"Cosmic-rad {NEW_LINE} i cosmic.csv är inte inläst"
    return [r for r in patient["incomplete_reasons"] if r.startswith(prefix)]


def _patient(result, pid: str) -> dict:  # type: ignore[no-untyped-def]
    return result.patients.filter(pl.col("patient_id") == pid).row(0, named=True)


def test_mistyped_digit_marks_the_patient_with_the_reason_and_merges_nothing(
    tmp_path: Path,
) -> None:
    before = reconcile_files(SAMPLES / "cosmic.csv", SAMPLES / "pascal.csv")
    cosmic = _with_cosmic_rows(tmp_path, [_row("19400512-9823")])  # check digit off by one
    result = reconcile_files(cosmic, SAMPLES / "pascal.csv")
    karin = _patient(result, KARIN)
    assert karin["incomplete"]
    (reason,) = _reasons_for_new_row(karin)
    assert "kontrollsiffra" in reason and "namn och enhet stämmer" in reason
    # never merged: the patient's lines and findings are those of the file without the row
    assert karin["n_cosmic_lines"] == _patient(before, KARIN)["n_cosmic_lines"]
    assert "C-999001" not in result.lines["line_id"].to_list()
    assert result.findings.height == before.findings.height
    assert _reasons_for_new_row(_patient(before, KARIN)) == []


@pytest.mark.parametrize(
    "row",
    [
        _row("19400512-9823", name="Berg, Lena"),  # another name
        _row("19400512-9823", unit="Hemsjukvård Kil"),  # another unit
        _row("19400512-9833"),  # two digits differ
    ],
    ids=["other name", "other unit", "two digits"],
)
def test_no_mark_without_name_unit_and_one_digit(tmp_path: Path, row: str) -> None:
    result = reconcile_files(_with_cosmic_rows(tmp_path, [row]), SAMPLES / "pascal.csv")
    assert _reasons_for_new_row(_patient(result, KARIN)) == []
    assert NEW_LINE in result.rejected["line"].to_list()  # still listed as rejected


def test_a_pascal_row_matches_by_name_alone(tmp_path: Path) -> None:
    lines = (SAMPLES / "pascal.csv").read_text(encoding="utf-8").splitlines()
    bad = lines[1].replace("194005129822", "194005129825", 1).replace("P-500001", "P-999001")
    pascal = tmp_path / "pascal.csv"
    pascal.write_text("\n".join([*lines, bad]) + "\n", encoding="utf-8")
    result = reconcile_files(SAMPLES / "cosmic.csv", pascal)
    reasons = _patient(result, KARIN)["incomplete_reasons"]
    (reason,) = [r for r in reasons if r.startswith(f"Pascal-rad {len(lines) + 1} ")]
    assert "namnet stämmer med patienten" in reason

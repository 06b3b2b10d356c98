"""The engine's public API: inputs it accepts, outputs it promises, what it imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from engine_builders import PATIENT, TODAY, YOUNG, c, frame, p, rules, run

from medrecon.engine import reconcile
from medrecon.model import LoadResult
from medrecon.schema import (
    CANONICAL_SCHEMA,
    FINDING_EXTRA_SCHEMA,
    FINDING_SCHEMA,
    MATCH_SCHEMA,
    PATIENT_SCHEMA,
    REJECTED_SCHEMA,
)

ROOT = Path(__file__).resolve().parents[2]

COSMIC = [
    c("C1", "furosemid", strength=40, units_per_day=1),
    c("C2", "metformin"),
    c("C3", "oxazepam", strength=5, units_per_day=3, prn=True),
]
PASCAL = [
    p("P1", "furosemid", strength=40, units_per_day=2),
    p("P3", "oxazepam", strength=5, units_per_day=3),
]


def test_output_schemas() -> None:
    result = run(COSMIC, PASCAL)
    assert dict(result.findings.schema) == {**FINDING_SCHEMA, **FINDING_EXTRA_SCHEMA}
    assert dict(result.matches.schema) == MATCH_SCHEMA
    assert dict(result.patients.schema) == PATIENT_SCHEMA
    assert dict(result.rejected.schema) == REJECTED_SCHEMA
    assert set(CANONICAL_SCHEMA) <= set(result.lines.columns)
    assert sorted(result.lines["source"].unique()) == ["cosmic", "pascal"]
    assert not [col for col in result.lines.columns if col.startswith("_")]


def test_pandas_input_gives_the_same_result_as_polars() -> None:
    polars_result = run(COSMIC, PASCAL)
    pandas_result = reconcile(
        frame(COSMIC).to_pandas(), frame(PASCAL).to_pandas(), rules=rules(), as_of=TODAY
    )
    assert pandas_result.findings.equals(polars_result.findings)
    assert pandas_result.matches.equals(polars_result.matches)


def test_missing_optional_columns_are_filled_with_nulls() -> None:
    slim = frame(COSMIC).drop("care_unit", "npl_id", "purpose", "last_changed", "prescriber")
    result = reconcile(slim, frame(PASCAL), rules=rules(), as_of=TODAY)
    assert result.findings.height == run(COSMIC, PASCAL).findings.height


def test_load_result_brings_its_rejected_rows() -> None:
    rejected = pl.DataFrame(
        {
            "source": ["cosmic"],
            "file": ["cosmic.csv"],
            "line": [17],
            "patient_id": [YOUNG],
            "reason": ["ogiltigt datum"],
        },
        schema={
            name: REJECTED_SCHEMA[name]
            for name in ("source", "file", "line", "patient_id", "reason")
        },  # the optional ones left out
    )
    result = reconcile(
        LoadResult(lines=frame(COSMIC), rejected=rejected),
        LoadResult(lines=frame(PASCAL)),
        rules=rules(),
        as_of=TODAY,
    )
    assert result.rejected.select(rejected.columns).rows() == rejected.rows()
    young = result.patients.filter(pl.col("patient_id") == YOUNG).row(0, named=True)
    assert young["incomplete"] and not young["in_cosmic"] and not young["in_pascal"]


def test_rejects_what_it_cannot_read() -> None:
    with pytest.raises(TypeError):
        reconcile("cosmic.csv", frame(PASCAL), rules=rules())


def test_fingerprint_changes_with_a_line_and_keeps_its_lineage() -> None:
    before = run(COSMIC, PASCAL).findings.filter(pl.col("kind") == "dose")
    changed = [p("P1", "furosemid", strength=40, units_per_day=3, dosing_text="1x3"), PASCAL[1]]
    after = run(COSMIC, changed).findings.filter(pl.col("kind") == "dose")
    assert before["id"].item() != after["id"].item()
    assert before["lineage"].item() == after["lineage"].item()


def test_fingerprint_ignores_file_line_prescriber_and_last_changed() -> None:
    before = run(COSMIC, PASCAL).findings["id"].sort().to_list()
    moved = frame(PASCAL).with_columns(
        file=pl.lit("other.csv"), line=pl.lit(99, pl.Int64), prescriber=pl.lit("Dr X")
    )
    after = reconcile(frame(COSMIC), moved, rules=rules(), as_of=TODAY)
    assert after.findings["id"].sort().to_list() == before


def test_summaries_and_explanations_are_filled() -> None:
    findings = run(COSMIC, PASCAL).findings
    assert findings["explanation"].null_count() == 0
    missing = findings.filter(pl.col("kind") == "missing_in_pascal").row(0, named=True)
    assert missing["pascal_summary"] is None
    assert missing["cosmic_summary"].startswith("Metformin 500 mg · ")


def test_elderly_flags_for_patients_75_and_older() -> None:
    cosmic = [
        c("C1", "diazepam", atc="N05BA01", strength=5, units_per_day=1),
        c("C2", "zopiklon", atc="N05CF01", strength=7.5, units_per_day=2),
        c("C3", "mirtazapin", atc="N06AX11", strength=15, units_per_day=1),
        c("C4", "haloperidol", atc="N05AD01", strength=1, units_per_day=1),
        c("C5", "diazepam", atc="N05BA01", strength=5, units_per_day=1, patient=YOUNG),
    ]
    result = reconcile(frame(cosmic), frame([]), rules=rules(), as_of=TODAY)
    by_patient = {r["patient_id"]: r for r in result.patients.iter_rows(named=True)}
    old = by_patient[PATIENT]
    assert old["elderly_flags"] == ["avoid_diazepam", "high_dose_zopiklon", "psychotropics"]
    assert any("Diazepam" in n and "bör undvikas" in n for n in old["elderly_notes"])
    assert any("15 mg/dygn är mer än 7,5 mg/dygn" in n for n in old["elderly_notes"])
    assert by_patient[YOUNG]["elderly_flags"] == []


def test_polypharmacy_counts_each_system_on_its_own() -> None:
    names = [f"substans{i}" for i in range(10)]
    cosmic = [c(f"C{i}", name) for i, name in enumerate(names[:9])]
    pascal = [p(f"P{i}", name) for i, name in enumerate(names[1:])]
    result = reconcile(frame(cosmic), frame(pascal), rules=rules(), as_of=TODAY)
    assert result.patients["elderly_flags"].to_list() == [[]]
    result = reconcile(
        frame([*cosmic, c("C9", names[9])]), frame(pascal), rules=rules(), as_of=TODAY
    )
    assert result.patients["elderly_flags"].to_list() == [["polypharmacy"]]


def test_import_engine_does_not_import_textual() -> None:
    code = "import sys, medrecon.engine; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_slicing_patients_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import medrecon.engine.core as core

    cosmic = [*COSMIC, *(c(f"Y{i}", "metformin", patient=YOUNG, units_per_day=i) for i in (1, 2))]
    pascal = [*PASCAL, p("Q1", "metformin", patient=YOUNG, units_per_day=2)]
    whole = run(cosmic, pascal)
    monkeypatch.setattr(core, "SLICE_LINES", 2)
    sliced = run(cosmic, pascal)
    assert sliced.findings.equals(whole.findings)
    assert sliced.matches.equals(whole.matches)
    assert sliced.patients.equals(whole.patients)


# --- the canonical line contract at the API's door -----------------------------------------


def _api_frame(**changes: object) -> pl.DataFrame:
    row = {name: None for name in CANONICAL_SCHEMA}
    row.update(
        patient_id=PATIENT,
        line_id="C1",
        product_text="Alvedon 500 mg tablett",
        dosing_text="2 tabletter 3 gånger dagligen",
        status="active",
        line=2,
    )
    row.update(changes)
    return pl.DataFrame([row])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"status": "utsatt"},
            "kolumnen status har okända värden (tillåtna: active, ended, paused): 'utsatt'",
        ),
        ({"line": "rad-7"}, "kolumnen line har värden som inte är heltal: 'rad-7'"),
        ({"line": 0}, "kolumnen line har för små värden"),
        ({"dispensing": "ja"}, "kolumnen dispensing har okända värden"),
        ({"order_type": "recept"}, "kolumnen order_type har okända värden"),
        ({"dose_morning": -1.0}, "kolumnen dose_morning har för små värden"),
        ({"line_id": None}, "kolumnen line_id har tomma värden (kolumnen krävs)"),
    ],
)
def test_a_frame_that_breaks_the_contract_is_refused_naming_column_and_value(
    changes: dict[str, object], message: str
) -> None:
    from medrecon.contracts import ContractError

    with pytest.raises(ContractError) as error:
        reconcile(_api_frame(**changes), frame(PASCAL), rules=rules(), as_of=TODAY)
    assert message in str(error.value)
    assert "Indata för cosmic" in str(error.value)


def test_a_missing_required_column_is_named() -> None:
    from medrecon.contracts import ContractError

    with pytest.raises(ContractError, match="saknar kolumnerna line_id, product_text"):
        reconcile(_api_frame().drop("line_id", "product_text"), frame(PASCAL), rules=rules())


def test_the_contract_accepts_what_pandas_hands_over() -> None:
    result = reconcile(_api_frame().to_pandas(), frame(PASCAL), rules=rules(), as_of=TODAY)
    assert result.lines.filter(pl.col("source") == "cosmic")["status"].to_list() == ["active"]

"""Carry-forward across runs: unchanged keeps its decision, changed reopens, vanished goes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
from store_helpers import PATIENT_A, PATIENT_B, finding, recon

from medrecon.store import Store


def _states(store: Store, rows: list[dict]) -> dict[str, dict]:
    frame = pl.DataFrame(rows).select("id", "lineage")
    return {row["id"]: row for row in store.finding_states(frame).iter_rows(named=True)}


def test_two_runs_with_changed_unchanged_and_vanished_lines(store: Store, tmp_path: Path) -> None:
    export = tmp_path / "cosmic.csv"
    export.write_bytes(b"Personnummer;Lakemedel\n")
    night1 = [
        finding("same", kind="dose", substance="metoprolol"),
        finding("changed-v1", kind="dose", substance="warfarin", lineage="L-warfarin"),
        finding("vanishes", kind="missing_in_pascal", substance="furosemid"),
        finding("open-still", kind="route", substance="morfin"),
        finding("b-only", PATIENT_B, kind="dose", substance="enalapril"),
    ]
    first = store.record_run(recon(night1), [export], user="batch", kind="batch")
    assert first.new_ids == {row["id"] for row in night1}
    assert first.gone_ids == set() and first.carried_ids == set()

    same = store.decide("same", PATIENT_A, "intentional", comment="Avsiktligt", user="anna")
    store.decide("changed-v1", PATIENT_A, "cosmic_correct", user="anna")
    store.decide("vanishes", PATIENT_A, "prescriber_contacted", user="anna")

    # Night 2 covers only patient A (e.g. one unit's files): B's finding is not gone.
    night2 = [
        finding("same", kind="dose", substance="metoprolol"),
        finding("changed-v2", kind="dose", substance="warfarin", lineage="L-warfarin"),
        finding("open-still", kind="route", substance="morfin"),
        finding("brand-new", kind="form", substance="paracetamol"),
    ]
    second = store.record_run(recon(night2), [export], user="batch")
    assert second.new_ids == {"changed-v2", "brand-new"}
    assert second.gone_ids == {"changed-v1", "vanishes"}
    assert second.carried_ids == {"same"}
    assert second.reopened_ids == {"changed-v2"}
    assert (second.n_findings, second.n_decided, second.n_open) == (4, 1, 3)

    states = _states(store, night2)
    assert states["same"]["status"] == "decided"
    assert states["same"]["action"] == "intentional"
    assert states["same"]["decision_id"] == same.id
    assert states["same"]["comment"] == "Avsiktligt"
    assert states["same"]["first_seen"] == first.started_at
    assert states["same"]["last_seen"] == second.started_at
    assert states["changed-v2"]["status"] == "open"
    assert states["changed-v2"]["action"] is None
    assert states["changed-v2"]["previous_action"] == "cosmic_correct"
    assert states["changed-v2"]["previous_action_label"].startswith("Cosmic är rätt")
    assert states["changed-v2"]["previous_decided_by"] == "anna"
    assert states["brand-new"]["previous_action"] is None
    assert states["open-still"]["status"] == "open"

    gone = _states(store, [night1[2], night1[4]])
    assert gone["vanishes"]["gone_at"] == second.started_at
    assert gone["vanishes"]["action"] == "prescriber_contacted"  # the decision stays
    assert gone["b-only"]["gone_at"] is None  # patient B was not in this run

    # Night 3: the vanished finding returns; its old decision applies again.
    third = store.record_run(recon([*night2, night1[2]]), [])
    assert "vanishes" not in third.new_ids
    assert third.carried_ids == {"same", "vanishes"}
    back = _states(store, [night1[2]])["vanishes"]
    assert back["gone_at"] is None and back["status"] == "decided"


def test_patient_without_findings_in_the_run_loses_its_findings(store: Store) -> None:
    store.record_run(recon([finding("a1"), finding("b1", PATIENT_B)]), [])
    # B is in the run (patients frame) but has no findings any more: resolved.
    second = store.record_run(recon([finding("a1")], {PATIENT_A: "x", PATIENT_B: "y"}), [])
    assert second.gone_ids == {"b1"}


def test_decision_made_before_any_run_is_carried(store: Store) -> None:
    store.decide("early", PATIENT_A, "fixed", user="anna")
    summary = store.record_run(recon([finding("early")]), [])
    assert summary.new_ids == {"early"} and summary.carried_ids == {"early"}
    assert summary.reopened_ids == set()


def test_withdrawn_lineage_decision_does_not_reopen(store: Store) -> None:
    store.record_run(recon([finding("v1", lineage="L")]), [])
    made = store.decide("v1", PATIENT_A, "fixed")
    store.withdraw("v1", PATIENT_A, expected_decision_id=made.id)
    summary = store.record_run(recon([finding("v2", lineage="L")]), [])
    assert summary.reopened_ids == set()
    assert _states(store, [finding("v2", lineage="L")])["v2"]["previous_action"] is None


def test_sibling_present_at_the_same_time_is_not_a_previous_version(store: Store) -> None:
    rows = [finding("x1", lineage="L"), finding("x2", lineage="L")]
    store.record_run(recon(rows), [])
    store.decide("x1", PATIENT_A, "fixed")
    states = _states(store, rows)
    assert states["x2"]["previous_action"] is None


def test_run_records_inputs_and_counts(store: Store, tmp_path: Path, db_path: Path) -> None:
    export = tmp_path / "pascal.csv"
    export.write_bytes(b"abc" * 1000)
    store.record_run(recon([finding("a1"), finding("a2")]), [export], user="natt", kind="batch")
    store.decide("a1", PATIENT_A, "fixed")
    store.record_run(recon([finding("a1")]), [export], kind="tui")
    runs = store.runs()
    assert runs.get_column("run_id").to_list() == [1, 2]
    last = runs.row(1, named=True)
    assert (last["kind"], last["n_findings"], last["n_decided"], last["n_gone"]) == (
        "tui",
        1,
        1,
        1,
    )
    assert runs.row(0, named=True)["user"] == "natt"
    assert store.runs(limit=1).get_column("run_id").to_list() == [2]
    run_entry = next(e for e in store.audit_entries() if e.action == "run")
    assert run_entry.details["inputs"] == [
        {"name": "pascal.csv", "size": 3000, "sha256": hashlib.sha256(b"abc" * 1000).hexdigest()}
    ]


def test_large_run_is_recorded_in_one_go(store: Store) -> None:
    rows = [finding(f"id{i:05d}", kind="dose", substance=f"s{i}") for i in range(3000)]
    first = store.record_run(recon(rows), [])
    assert len(first.new_ids) == 3000
    second = store.record_run(recon(rows[:2000]), [])
    assert len(second.gone_ids) == 1000 and second.new_ids == set()

"""Decisions through the public API: history, conflicts, withdrawal, validation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest
from store_helpers import PATIENT_A, PATIENT_B, finding, recon

from medrecon.errors import MedreconError, StoreConflictError
from medrecon.labels import ACTION_LABEL
from medrecon.store import ACTIONS, Store


def test_actions_are_the_label_codes() -> None:
    assert set(ACTIONS) == set(ACTION_LABEL)


def test_change_is_a_new_row_and_history_is_kept(store: Store) -> None:
    first = store.decide("f1", PATIENT_A, "escalated", comment="Ringer läkaren", user="anna")
    second = store.decide(
        "f1", PATIENT_A, "intentional", user="bertil", expected_decision_id=first.id
    )
    assert second.supersedes == first.id
    assert second.version == 2
    history = store.history("f1")
    assert [d.action for d in history] == ["escalated", "intentional"]
    assert [d.decided_by for d in history] == ["anna", "bertil"]
    assert history[0].comment == "Ringer läkaren"
    assert history[0].decided_at.endswith("+00:00")  # stored as UTC


def test_user_defaults_to_os_user(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("medrecon.store.records.os_account", lambda: "os-anvandare")
    assert store.decide("f1", PATIENT_A, "fixed").decided_by == "os-anvandare"


def test_stale_decision_is_refused_naming_who_and_nothing_is_written(store: Store) -> None:
    store.decide("f1", PATIENT_A, "escalated", user="anna")
    with pytest.raises(StoreConflictError) as info:
        store.decide("f1", PATIENT_A, "intentional", user="bertil", expected_decision_id=None)
    assert "anna" in info.value.message
    assert "Eskalerad till läkare" in info.value.message
    assert info.value.exit_code == 3
    assert [d.decided_by for d in store.history("f1")] == ["anna"]
    # the refused attempt left no audit entry either
    assert [e.action for e in store.audit_entries()] == ["decision"]


def test_expected_id_that_is_not_current_is_refused(store: Store) -> None:
    first = store.decide("f1", PATIENT_A, "escalated", user="anna")
    store.decide("f1", PATIENT_A, "fixed", user="cecilia", expected_decision_id=first.id)
    with pytest.raises(StoreConflictError, match="cecilia"):
        store.decide("f1", PATIENT_A, "intentional", expected_decision_id=first.id)
    with pytest.raises(StoreConflictError):
        store.decide("f2", PATIENT_A, "intentional", expected_decision_id=first.id)


def test_withdrawal_opens_the_finding_and_keeps_history(store: Store) -> None:
    first = store.decide("f1", PATIENT_A, "intentional", user="anna")
    withdrawn = store.withdraw("f1", PATIENT_A, user="bertil", expected_decision_id=first.id)
    assert withdrawn.is_withdrawal and withdrawn.supersedes == first.id
    states = store.finding_states(pl.DataFrame({"id": ["f1"], "lineage": ["l1"]}))
    row = states.row(0, named=True)
    assert row["status"] == "open" and row["action"] is None
    assert row["decision_id"] == withdrawn.id
    # after a withdrawal, both "I saw no decision" and the withdrawal's id are accepted
    again = store.decide("f1", PATIENT_A, "fixed", expected_decision_id=None)
    assert [d.action for d in store.history("f1")] == ["intentional", "withdrawn", "fixed"]
    with pytest.raises(StoreConflictError, match="Åtgärdad i systemet"):
        store.decide("f1", PATIENT_A, "escalated", expected_decision_id=withdrawn.id)
    assert again.version == 3


def test_stale_change_after_a_withdrawal_names_the_withdrawal(store: Store) -> None:
    first = store.decide("f1", PATIENT_A, "intentional", user="anna")
    store.withdraw("f1", PATIENT_A, user="bertil", expected_decision_id=first.id)
    with pytest.raises(StoreConflictError, match="bertil återtog beslutet"):
        store.decide("f1", PATIENT_A, "fixed", user="anna", expected_decision_id=first.id)


def test_withdrawing_nothing_is_refused(store: Store) -> None:
    with pytest.raises(MedreconError, match="inget beslut att återta"):
        store.withdraw("f1", PATIENT_A, expected_decision_id=None)
    assert store.history("f1") == []


def test_unknown_action_and_foreign_patient_are_refused(store: Store) -> None:
    with pytest.raises(MedreconError, match="Okänd åtgärd"):
        store.decide("f1", PATIENT_A, "delete_everything")
    first = store.decide("f1", PATIENT_A, "fixed")
    with pytest.raises(MedreconError, match="annan patient"):
        store.decide("f1", PATIENT_B, "fixed", expected_decision_id=first.id)
    assert len(store.history("f1")) == 1


def test_lineage_history_spans_ids(store: Store) -> None:
    store.decide("old", PATIENT_A, "intentional", lineage="L")
    store.decide("new", PATIENT_A, "fixed", lineage="L")
    store.decide("other", PATIENT_A, "fixed", lineage="M")
    assert [d.finding_id for d in store.lineage_history("L")] == ["old", "new"]


def test_finding_states_for_unknown_ids_are_open(store: Store) -> None:
    frame = pl.DataFrame({"id": ["x", "y"], "lineage": ["lx", None]})
    states = store.finding_states(frame)
    assert states.get_column("id").to_list() == ["x", "y"]
    assert states.get_column("status").to_list() == ["open", "open"]
    assert states.get_column("decision_id").to_list() == [None, None]


def test_finding_states_needs_id_and_lineage(store: Store) -> None:
    with pytest.raises(MedreconError, match="lineage"):
        store.finding_states(pl.DataFrame({"id": ["x"]}))


def test_decisions_survive_reopening(db_path: Path) -> None:
    with Store.open(db_path) as store:
        made = store.decide("f1", PATIENT_A, "pascal_correct", comment="Ändrat i Pascal")
    with Store.open(db_path) as store:
        assert store.history("f1") == [made]


def test_a_decision_refused_while_another_writer_holds_the_store_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock held past the busy timeout (the nightly run) is a clear refusal, not a crash."""
    from medrecon.store import db

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "locked.db"
    with Store.open(path) as store:
        store.record_run(recon([finding("l1")]), [], user="natt")
        other = sqlite3.connect(path, timeout=0.1)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(MedreconError, match="sparades inte"):
                store.decide("l1", PATIENT_A, "fixed")
        finally:
            other.rollback()
            other.close()
        assert store.history("l1") == []
        store.decide("l1", PATIENT_A, "fixed")  # once the lock is gone it works
        assert [d.action for d in store.history("l1")] == ["fixed"]

"""Patient sign-off: refused while undecided, recorded, lapsing when a finding appears."""

from __future__ import annotations

import polars as pl
import pytest
from store_helpers import PATIENT_A, PATIENT_B

from medrecon.errors import MedreconError
from medrecon.store import Store


def test_sign_off_is_refused_until_every_finding_has_a_decision(store: Store) -> None:
    store.decide("f1", PATIENT_A, "intentional")
    with pytest.raises(MedreconError, match="1 av 2 skillnader saknar beslut"):
        store.sign_off(PATIENT_A, ["f1", "f2"], lists_hash="h1", user="anna")
    assert store.sign_offs(PATIENT_A) is None
    assert [e.action for e in store.audit_entries()] == ["decision"]
    assert store.patient_status(PATIENT_A, ["f1", "f2"]) == "in_progress"


def test_withdrawn_decision_does_not_count(store: Store) -> None:
    made = store.decide("f1", PATIENT_A, "intentional")
    store.withdraw("f1", PATIENT_A, expected_decision_id=made.id)
    with pytest.raises(MedreconError, match="saknar beslut"):
        store.sign_off(PATIENT_A, ["f1"], lists_hash="h1")


def test_sign_off_is_recorded_and_lapses_when_a_new_finding_appears(store: Store) -> None:
    assert store.patient_status(PATIENT_A, ["f1", "f2"]) == "not_reviewed"
    store.decide("f1", PATIENT_A, "intentional")
    store.decide("f2", PATIENT_A, "cosmic_correct")
    record = store.sign_off(PATIENT_A, ["f2", "f1"], lists_hash="abc123", user="anna")
    assert record.finding_ids == ("f1", "f2")
    assert (record.signed_by, record.lists_hash) == ("anna", "abc123")
    assert record.signed_at.endswith("+00:00")
    assert store.sign_offs(PATIENT_A) == record
    entry = store.audit_entries(PATIENT_A)[-1]
    assert entry.action == "sign_off" and entry.user == "anna"
    assert entry.details["finding_ids"] == ["f1", "f2"]

    assert store.patient_status(PATIENT_A, ["f1", "f2"]) == "signed_off"
    # a covered finding that was resolved does not undo the sign-off
    assert store.patient_status(PATIENT_A, ["f1"]) == "signed_off"
    # a finding the sign-off did not cover makes it lapse: the patient must be signed again
    assert store.patient_status(PATIENT_A, ["f1", "f2", "f3"]) == "sign_off_lapsed"


def test_withdrawal_after_sign_off_lapses_it(store: Store) -> None:
    made = store.decide("f1", PATIENT_A, "intentional")
    store.sign_off(PATIENT_A, ["f1"], lists_hash="h")
    store.withdraw("f1", PATIENT_A, expected_decision_id=made.id)
    assert store.patient_status(PATIENT_A, ["f1"]) == "sign_off_lapsed"


def test_patient_without_findings_can_be_signed_off(store: Store) -> None:
    store.sign_off(PATIENT_B, [], lists_hash="tom")
    assert store.patient_status(PATIENT_B, []) == "signed_off"


def test_sign_off_with_another_patients_finding_is_refused(store: Store) -> None:
    store.decide("fb", PATIENT_B, "fixed")
    with pytest.raises(MedreconError, match="annan patient"):
        store.sign_off(PATIENT_A, ["fb"], lists_hash="h")


def test_patient_statuses_in_bulk(store: Store) -> None:
    store.decide("a1", PATIENT_A, "fixed")
    store.sign_off(PATIENT_A, ["a1"], lists_hash="h")
    store.decide("b1", PATIENT_B, "fixed")
    c = "190101010101"
    findings = pl.DataFrame(
        {
            "id": ["a1", "b1", "b2", "c1"],
            "patient_id": [PATIENT_A, PATIENT_B, PATIENT_B, c],
            "lineage": ["x", "y", "z", "w"],
        }
    )
    statuses = store.patient_statuses(findings, patient_ids=["199001011234"])
    assert dict(statuses.iter_rows()) == {
        PATIENT_A: "signed_off",
        PATIENT_B: "in_progress",
        c: "not_reviewed",
        "199001011234": "not_reviewed",
    }
    new_finding = pl.concat(
        [findings, pl.DataFrame({"id": ["a2"], "patient_id": [PATIENT_A], "lineage": ["v"]})]
    )
    assert dict(store.patient_statuses(new_finding).iter_rows())[PATIENT_A] == "sign_off_lapsed"

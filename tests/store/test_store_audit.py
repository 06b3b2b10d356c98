"""The audit chain: every change logged, tampering detected, and the audit commands."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest
from store_helpers import PATIENT_A, PATIENT_B, finding, recon

from medrecon.cli import main
from medrecon.store import Store


def _fill(store: Store) -> None:
    store.record_run(recon([finding("f1"), finding("f2")]), [])
    store.log_access(PATIENT_A, user="anna")
    d1 = store.decide("f1", PATIENT_A, "intentional", comment="Enligt läkare", user="anna")
    store.decide("f2", PATIENT_A, "fixed", user="anna")
    store.withdraw("f1", PATIENT_A, user="bertil", expected_decision_id=d1.id)
    store.decide("f1", PATIENT_A, "escalated", user="bertil")
    store.sign_off(PATIENT_A, ["f1", "f2"], lists_hash="h", user="bertil")
    store.log_access(PATIENT_B, user="cecilia", what="skrev ut överlämningen")


def test_every_change_and_access_is_logged_in_order(store: Store) -> None:
    _fill(store)
    entries = store.audit_entries()
    assert [e.seq for e in entries] == list(range(1, 9))
    assert [e.action for e in entries] == [
        "run",
        "access",
        "decision",
        "decision",
        "withdrawal",
        "decision",
        "sign_off",
        "access",
    ]
    assert entries[2].details["comment"] == "Enligt läkare"
    assert entries[2].finding_id == "f1" and entries[2].patient_id == PATIENT_A
    assert entries[7].details == {"what": "skrev ut överlämningen"}
    assert [e.seq for e in store.audit_entries(PATIENT_B)] == [8]
    result = store.verify_audit()
    assert result.ok and result.entries == 8 and result.first_bad is None
    assert result.head_hash == entries[-1].hash


def _raw(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    # an attacker with file access can drop the append-only triggers; the chain still tells
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    return conn


def test_the_database_refuses_to_change_audit_or_decision_rows(store: Store, db_path: Path) -> None:
    _fill(store)
    conn = sqlite3.connect(db_path)
    for statement in (
        "UPDATE audit_log SET user = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 8",
        "UPDATE decisions SET action = 'fixed' WHERE id = 1",
        "DELETE FROM signoffs",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(statement)
    conn.close()


def test_edited_entry_is_reported_with_its_seq(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(store)
    assert main(["audit", "verify", "--db", str(db_path)]) == 0
    assert "8 poster" in capsys.readouterr().out

    conn = _raw(db_path)
    details = json.loads(conn.execute("SELECT details FROM audit_log WHERE seq = 3").fetchone()[0])
    details["action"] = "cosmic_correct"
    conn.execute(
        "UPDATE audit_log SET details = ? WHERE seq = 3",
        (json.dumps(details, sort_keys=True, separators=(",", ":")),),
    )
    conn.commit()
    conn.close()

    result = store.verify_audit()
    assert not result.ok and result.first_bad == 3 and result.entries == 2
    assert main(["audit", "verify", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "post 3" in err and "bruten" in err


def test_rehashed_edit_breaks_the_next_link(store: Store, db_path: Path) -> None:
    _fill(store)
    conn = _raw(db_path)
    # a cleverer edit also recomputes the edited entry's own hash
    from medrecon.store.audit import entry_hash

    rows = conn.execute("SELECT * FROM audit_log WHERE seq IN (3, 4) ORDER BY seq").fetchall()
    columns = [c[1] for c in conn.execute("PRAGMA table_info(audit_log)")]
    entry = dict(zip(columns, rows[0], strict=True))
    previous = conn.execute("SELECT hash FROM audit_log WHERE seq = 2").fetchone()[0]
    entry["user"] = "någon annan"
    conn.execute(
        "UPDATE audit_log SET user = ?, hash = ? WHERE seq = 3",
        (entry["user"], entry_hash(previous, entry)),
    )
    conn.commit()
    conn.close()
    assert store.verify_audit().first_bad == 4


def test_deleted_entry_is_detected(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(store)
    conn = _raw(db_path)
    conn.execute("DELETE FROM audit_log WHERE seq = 5")
    conn.commit()
    conn.close()
    result = store.verify_audit()
    assert not result.ok and result.first_bad == 5
    assert "post 5 saknas" in result.message
    assert main(["audit", "verify", "--db", str(db_path)]) == 1
    assert "post 5" in capsys.readouterr().err


def test_deleting_the_first_entry_is_detected(store: Store, db_path: Path) -> None:
    _fill(store)
    conn = _raw(db_path)
    conn.execute("DELETE FROM audit_log WHERE seq = 1")
    conn.commit()
    conn.close()
    assert store.verify_audit().first_bad == 1


def test_empty_log_verifies(store: Store) -> None:
    result = store.verify_audit()
    assert result.ok and result.entries == 0


def test_audit_show_lists_entries_and_filters_by_patient(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(store)
    assert main(["audit", "show", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Nr", "Tid", "Användare", "Händelse"]
    assert len(lines) == 2 + 8
    assert "Avsiktlig skillnad – Enligt läkare" in out
    assert "Avstämd" in out and "Beslut återtaget" in out

    dashed = f"{PATIENT_B[:8]}-{PATIENT_B[8:]}"
    assert main(["audit", "show", "--patient", dashed, "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "skrev ut överlämningen" in out and PATIENT_A not in out
    assert len(out.splitlines()) == 3


def test_audit_show_rejects_an_invalid_id(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "show", "--patient", "194005121235", "--db", str(db_path)]) == 2
    assert "medrecon:" in capsys.readouterr().err


F1 = "00000000000000f1"


def test_cli_decide_records_and_refuses_stale(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db_path) as store:
        store.record_run(recon([finding(F1)]), [], user="natt")
    base = ["decide", F1.upper(), "--patient", PATIENT_A, "--db", str(db_path)]
    assert main([*base, "--action", "intentional", "--comment", "ok", "--user", "anna"]) == 0
    assert "Beslut nr 1 sparat" in capsys.readouterr().out
    assert main([*base, "--action", "fixed", "--user", "bertil"]) == 3
    err = capsys.readouterr().err
    assert "anna" in err and "--expect 1" in err  # who changed it, and how to go on
    assert main([*base, "--action", "fixed", "--expect", "1"]) == 0
    assert main([*base, "--withdraw"]) == 2
    assert "--expect" in capsys.readouterr().err
    assert main([*base, "--withdraw", "--expect", "2"]) == 0
    with Store.open(db_path) as store:
        assert [d.action for d in store.history(F1)] == ["intentional", "fixed", "withdrawn"]
        assert store.verify_audit().ok


@pytest.mark.parametrize(
    ("finding_id", "patient", "message"),
    [
        ("abc", PATIENT_A, "16 tecken"),  # not an id at all: argparse refuses it
        ("0000000000000000", PATIENT_A, "finns inte i beslutsdatabasen"),  # never produced
        (F1, PATIENT_B, "annan patient"),
    ],
)
def test_cli_decide_refuses_unknown_or_foreign_findings(
    db_path: Path, capsys: pytest.CaptureFixture[str], finding_id: str, patient: str, message: str
) -> None:
    with Store.open(db_path) as store:
        store.record_run(recon([finding(F1)]), [], user="natt")
    args = ["decide", finding_id, "--patient", patient, "--action", "fixed", "--db", str(db_path)]
    # argparse refuses a malformed id itself (SystemExit 2); the command refuses the rest
    refused = pytest.raises(SystemExit) if finding_id == "abc" else contextlib.nullcontext()
    with refused:
        assert main(args) == 2
    assert message in capsys.readouterr().err
    with Store.open(db_path) as store:
        assert store.history(finding_id) == []
        assert [e.action for e in store.audit_entries()].count("decision") == 0


def test_audit_commands_do_not_create_a_missing_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "fel.db"
    assert main(["audit", "verify", "--db", str(missing)]) == 2
    assert "finns inte" in capsys.readouterr().err
    assert main(["audit", "show", "--db", str(missing)]) == 2
    assert not missing.exists()

"""The audit chain: every change logged, the audit key, and the audit commands.

Tampering of every kind, on both backends, is in test_store_tamper.py."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import pytest
from store_helpers import PATIENT_A, PATIENT_B, finding, recon

from medrecon.cli import main
from medrecon.errors import MedreconError
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


def test_audit_key_is_created_owner_only_beside_the_file_on_first_write(
    store: Store, db_path: Path
) -> None:
    key_file = db_path.with_name("medrecon.db.audit-key")
    assert not key_file.exists()  # opening alone creates no key
    store.log_access(PATIENT_A, user="anna")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert all(e.hash for e in store.audit_entries())


def test_missing_key_stops_writes_and_verify_says_so(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(store)
    key_file = db_path.with_name("medrecon.db.audit-key")
    key_file.rename(db_path.parent / "elsewhere.key")
    with Store.open(db_path) as other, pytest.raises(MedreconError, match="saknas"):
        other.decide("f2", PATIENT_A, "intentional", expected_decision_id=2)
    assert main(["audit", "verify", "--db", str(db_path)]) == 2
    assert "Granskningsnyckeln" in capsys.readouterr().err
    # with the key found again (configured elsewhere) everything is in order
    os.environ["MEDRECON_AUDIT_KEY"] = str(db_path.parent / "elsewhere.key")
    try:
        assert main(["audit", "verify", "--db", str(db_path)]) == 0
    finally:
        del os.environ["MEDRECON_AUDIT_KEY"]


def test_another_key_is_refused_for_writes_and_reported_by_verify(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(store)
    key_file = db_path.with_name("medrecon.db.audit-key")
    key_file.write_text(os.urandom(32).hex() + "\n", encoding="ascii")
    with Store.open(db_path) as other, pytest.raises(MedreconError, match="hör inte till"):
        other.log_access(PATIENT_A)
    assert main(["audit", "verify", "--db", str(db_path)]) == 5
    assert "annan nyckel" in capsys.readouterr().err
    assert len(store.audit_entries()) == 8  # nothing was written with the wrong key


def test_first_writers_racing_for_the_key_all_get_the_same_complete_key(tmp_path: Path) -> None:
    """Several first writers of a new store create the key at once: one key wins, and
    nobody reads it half-written (the race the concurrency tests once hit)."""
    from concurrent.futures import ThreadPoolExecutor

    from medrecon.store.signing import create_key, read_key

    for round_ in range(20):
        path = tmp_path / str(round_) / "medrecon.db.audit-key"
        with ThreadPoolExecutor(8) as pool:
            keys = [key.secret for key in pool.map(create_key, [path] * 8)]
        stored = read_key(path)
        assert stored is not None and set(keys) == {stored.secret}
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left

"""Tampering behind medrecon's back, on SQLite and on PostgreSQL: each kind is detected.

The attacker has full write access to the database (drops the append-only triggers,
edits, puts the triggers back) but not the audit key file nor this user's record of
the newest entry. ``medrecon audit verify`` must exit 5 and name what was changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from backends import Backend, Raw
from store_helpers import PATIENT_A, PATIENT_B, finding, recon

from medrecon.cli import main
from medrecon.store import Store
from medrecon.store.audit import entry_hash

COLUMNS = '"seq", "at", "user", "action", "patient_id", "finding_id", "details"'


def _fill(store: Store) -> None:
    """Entries 1-9: run, access, decisions 1-4 (a withdrawal among them), sign-off 1,
    access, decision 5 (another patient)."""
    store.record_run(recon([finding("f1"), finding("f2"), finding("b1", PATIENT_B)]), [])
    store.log_access(PATIENT_A, user="anna")
    d1 = store.decide("f1", PATIENT_A, "intentional", comment="Enligt läkare", user="anna")
    store.decide("f2", PATIENT_A, "fixed", user="anna")
    store.withdraw("f1", PATIENT_A, user="bertil", expected_decision_id=d1.id)
    store.decide("f1", PATIENT_A, "escalated", user="bertil")
    store.sign_off(PATIENT_A, ["f1", "f2"], lists_hash="h", user="bertil")
    store.log_access(PATIENT_B, user="cecilia", what="skrev ut överlämningen")
    store.decide("b1", PATIENT_B, "cosmic_correct", user="cecilia")


def _rehash_from(raw: Raw, first_seq: int) -> None:
    """Recompute every hash from ``first_seq`` on, as someone without the key can."""
    rows = raw.execute(f"SELECT {COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq", (first_seq,))
    previous = raw.execute("SELECT hash FROM audit_log WHERE seq = ?", (first_seq - 1,))[0][0]
    for values in rows:
        entry = dict(zip(["seq", "at", "user", "action", "patient_id", "finding_id", "details"],
                         values, strict=True))  # fmt: skip
        previous = entry_hash(previous, entry)
        raw.execute("UPDATE audit_log SET hash = ? WHERE seq = ?", (previous, entry["seq"]))


def edit_decision(raw: Raw) -> None:
    raw.execute("UPDATE decisions SET action = 'pascal_correct' WHERE id = 2")


def edit_sign_off(raw: Raw) -> None:
    raw.execute("UPDATE signoffs SET signed_by = 'någon annan' WHERE id = 1")


def edit_entry(raw: Raw) -> None:
    raw.execute("""UPDATE audit_log SET "user" = 'någon annan' WHERE seq = 2""")


def insert_decision(raw: Raw) -> None:
    raw.execute(
        "INSERT INTO decisions (id, finding_id, patient_id, lineage, version, supersedes, "
        "action, comment, decided_by, decided_at) VALUES (99, 'f2', ?, 'lin-f2', 2, 2, "
        "'intentional', 'efterhand', 'anna', '2026-01-01T00:00:00+00:00')",
        (PATIENT_A,),
    )


def insert_entry(raw: Raw) -> None:
    """A forged access entry appended with a correct (unkeyed) hash."""
    last_seq, last_hash = raw.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC")[0]
    entry = {"seq": last_seq + 1, "at": "2026-01-01T00:00:00+00:00", "user": "anna",
             "action": "access", "patient_id": PATIENT_A, "finding_id": None,
             "details": json.dumps({"what": "öppnade"})}  # fmt: skip
    raw.execute(
        f"INSERT INTO audit_log ({COLUMNS}, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (*entry.values(), entry_hash(last_hash, entry)),
    )


def delete_middle_entry(raw: Raw) -> None:
    raw.execute("DELETE FROM audit_log WHERE seq = 4")


def delete_decision(raw: Raw) -> None:
    raw.execute("DELETE FROM decisions WHERE id = 5")


def delete_newest(raw: Raw) -> None:
    """The newest decision and its entry, cleanly: what is left is a valid signed chain."""
    raw.execute("DELETE FROM decisions WHERE id = 5")
    raw.execute("DELETE FROM audit_log WHERE seq = 9")


def delete_all(raw: Raw) -> None:
    for table in ("signoffs", "audit_log", "decisions", "store_meta"):
        raw.execute(f"DELETE FROM {table}")


def reorder(raw: Raw) -> None:
    raw.execute("UPDATE audit_log SET seq = -1 WHERE seq = 3")
    raw.execute("UPDATE audit_log SET seq = 3 WHERE seq = 4")
    raw.execute("UPDATE audit_log SET seq = 4 WHERE seq = -1")


def rehash(raw: Raw) -> None:
    """Edit a decision and its entry, then recompute the whole chain after it."""
    raw.execute("UPDATE decisions SET action = 'pascal_correct' WHERE id = 2")
    details = json.loads(raw.execute("SELECT details FROM audit_log WHERE seq = 4")[0][0])
    details["action"] = "pascal_correct"
    raw.execute(
        "UPDATE audit_log SET details = ? WHERE seq = 4",
        (json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False),),
    )
    _rehash_from(raw, 4)


def rehash_without_signatures(raw: Raw) -> None:
    """As ``rehash``, and every trace of the key removed too: looks like an old store."""
    rehash(raw)
    raw.execute("UPDATE audit_log SET mac = NULL")
    raw.execute("DELETE FROM store_meta")


def drop_guards_only(raw: Raw) -> None:
    """Nothing changed yet, but the append-only protection is gone."""


CASES: dict[str, tuple[Callable[[Raw], None], str, bool]] = {
    # name: (tampering, what the report must say, put the triggers back afterwards)
    "edit decision": (
        edit_decision,
        "nr 2 (fynd f2) stämmer inte med post 4 i granskningsloggen: åtgärden har ändrats",
        True,
    ),
    "edit sign-off": (
        edit_sign_off,
        "Avstämning nr 1 stämmer inte med post 7 i "
        "granskningsloggen: vem som signerade har ändrats",
        True,
    ),
    "edit entry": (edit_entry, "bruten vid post 2", True),
    "insert decision": (insert_decision, "Beslut nr 99 (fynd f2) finns i tabellen men inte", True),
    "insert entry": (insert_entry, "Post 10 saknar signatur", True),
    "delete middle entry": (delete_middle_entry, "post 4 saknas", True),
    "delete decision": (delete_decision, "Beslut nr 5 (post 9) saknas i tabellen", True),
    "delete newest": (delete_newest, "slutar vid post 8, men post 9", True),
    "delete all": (delete_all, "slutar vid post 0, men post 9", True),
    "reorder": (reorder, "bruten vid post 3", True),
    "re-hash": (rehash, "Posterna 4–9 har ogiltig signatur", True),
    "re-hash, signatures removed": (rehash_without_signatures, "Post 9 har en annan hash", True),
    "triggers dropped": (drop_guards_only, "utlösaren decisions_no_update", False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_detected_and_named(
    backend: Backend, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper, expected, restore = CASES[case]
    with Store.open(backend.where) as store:
        _fill(store)
    assert main(["audit", "verify", "--db", backend.where]) == 0
    assert "9 poster" in capsys.readouterr().out

    raw = backend.raw()
    try:
        raw.drop_guards()
        tamper(raw)
        if restore:
            raw.restore_guards()
    finally:
        raw.close()

    assert main(["audit", "verify", "--db", backend.where]) == 5
    err = capsys.readouterr().err
    assert expected in err, err
    if restore:  # only the tampering itself is reported, not the triggers
        assert "utlösaren" not in err


def test_sound_store_verifies_on_both_backends(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(backend.where) as store:
        _fill(store)
        result = store.verify_audit()
    assert result.ok and result.problems == () and result.entries == 9
    assert main(["audit", "verify", "--db", backend.where]) == 0
    out = capsys.readouterr().out
    assert "Granskningsloggen är hel: 9 poster" in out and "Senaste post: 9" in out


def test_append_only_is_enforced_by_the_database(backend: Backend) -> None:
    with Store.open(backend.where) as store:
        _fill(store)
    raw = backend.raw()
    try:
        for statement in (
            """UPDATE audit_log SET "user" = 'x' WHERE seq = 1""",
            "DELETE FROM audit_log WHERE seq = 9",
            "UPDATE decisions SET action = 'fixed' WHERE id = 1",
            "DELETE FROM signoffs",
            "DELETE FROM store_meta",
        ):
            with pytest.raises(Exception, match="append-only"):
                raw.execute(statement)
        if backend.name == "postgresql":
            with pytest.raises(Exception, match="append-only"):
                raw.execute("TRUNCATE audit_log CASCADE")
    finally:
        raw.close()

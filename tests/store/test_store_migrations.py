"""The Alembic chain on both backends, and a store from version 0001 upgraded in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from backends import Backend
from sqlalchemy import create_engine, text
from store_helpers import PATIENT_A, finding, recon

from medrecon.cli import main
from medrecon.store import Store, resolve_location
from medrecon.store.audit import GENESIS_HASH, canonical_json, entry_hash
from medrecon.store.db import alembic_config
from medrecon.store.tables import metadata


def test_head_matches_the_metadata_and_the_chain_goes_down_and_up(backend: Backend) -> None:
    with Store.open(backend.where) as store:
        store.decide("f1", PATIENT_A, "fixed")
    engine = create_engine(resolve_location(backend.where).url)
    try:
        with engine.begin() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
            command.downgrade(alembic_config(conn), "0001")
            assert conn.execute(text("SELECT count(*) FROM decisions")).scalar() == 1
            command.upgrade(alembic_config(conn), "head")
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


def _store_at_0001(path: Path) -> None:
    """A store as version 0001 wrote it: two decisions, a sign-off, chained entries."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        at = "2026-03-01T08:00:00.000000+00:00"
        rows = [
            ("decision", "f1", {"decision_id": 1, "action": "intentional",
                                "comment": "Enligt läkare", "supersedes": None}),
            ("decision", "f2", {"decision_id": 2, "action": "fixed", "comment": "",
                                "supersedes": None}),
            ("sign_off", None, {"sign_off_id": 1, "lists_hash": "h",
                                "finding_ids": ["f1", "f2"]}),
        ]  # fmt: skip
        for fid, action, comment in (("f1", "intentional", "Enligt läkare"), ("f2", "fixed", "")):
            conn.execute(
                text(
                    "INSERT INTO decisions (finding_id, patient_id, lineage, version, action, "
                    "comment, decided_by, decided_at) VALUES (:f, :p, :l, 1, :a, :c, 'anna', :t)"
                ),
                {"f": fid, "p": PATIENT_A, "l": f"lin-{fid}", "a": action, "c": comment, "t": at},
            )
        conn.execute(
            text(
                "INSERT INTO signoffs (patient_id, signed_by, signed_at, lists_hash, finding_ids) "
                "VALUES (:p, 'anna', :t, 'h', :ids)"
            ),
            {"p": PATIENT_A, "t": at, "ids": json.dumps(["f1", "f2"])},
        )
        previous = GENESIS_HASH
        for seq, (action, fid, details) in enumerate(rows, start=1):
            entry = {"seq": seq, "at": at, "user": "anna", "action": action,
                     "patient_id": PATIENT_A, "finding_id": fid,
                     "details": canonical_json(details)}  # fmt: skip
            previous = entry_hash(previous, entry)
            conn.execute(
                text(
                    'INSERT INTO audit_log (seq, at, "user", action, patient_id, finding_id, '
                    "details, hash) VALUES (:seq, :at, :user, :action, :patient_id, "
                    ":finding_id, :details, :hash)"
                ),
                {**entry, "hash": previous},
            )
    engine.dispose()


def test_a_0001_store_upgrades_without_losing_a_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    _store_at_0001(path)
    with Store.open(path) as store:
        assert [(d.action, d.comment) for d in store.history("f1")] == [
            ("intentional", "Enligt läkare")
        ]
        assert [d.action for d in store.history("f2")] == ["fixed"]
        assert store.patient_status(PATIENT_A, ["f1", "f2"]) == "signed_off"
        result = store.verify_audit()
        assert result.ok and result.entries == 3, result.problems
        # the first write after the upgrade signs the chain, old entries included
        store.record_run(recon([finding("f1"), finding("f2")]), [])
        assert store.verify_audit().ok
        # a decision after the old sign-off makes it lapse, as for new sign-offs
        store.decide("f2", PATIENT_A, "escalated", expected_decision_id=2)
        assert store.patient_status(PATIENT_A, ["f1", "f2"]) == "sign_off_lapsed"
    assert main(["audit", "verify", "--db", str(path)]) == 0

    # an old decision edited after the upgrade is still caught by its old entry
    import sqlite3

    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER decisions_no_update")
    raw.execute("UPDATE decisions SET comment = 'annat' WHERE id = 1")
    raw.commit()
    raw.close()
    capsys.readouterr()
    assert main(["audit", "verify", "--db", str(path)]) == 5
    assert "Beslut nr 1 (fynd f1) stämmer inte med post 1" in capsys.readouterr().err

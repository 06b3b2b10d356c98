"""Several processes on one SQLite file; a process killed with SIGKILL while writing."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from pathlib import Path

import store_workers
from store_helpers import PATIENT_A

from medrecon.store import Store

SPAWN = multiprocessing.get_context("spawn")


def _ready(db_path: Path) -> None:
    # Create and migrate once in the parent so that the children race on decisions only
    # (opening a new file at once is covered by the next test).
    with Store.open(db_path):
        pass


def test_concurrent_writers_lose_nothing_and_never_overwrite(db_path: Path) -> None:
    workers, rounds = 4, 15
    with SPAWN.Pool(workers) as pool:
        results = pool.starmap(
            store_workers.decide_many, [(str(db_path), w, rounds) for w in range(workers)]
        )
    made = [row for result in results for row in result["made"]]
    conflicts = sum(result["conflicts"] for result in results)

    with Store.open(db_path) as store:
        assert store.integrity_check() == "ok"
        # every decision a process was told it made is there, exactly as made
        stored = {}
        for fid in {row[1] for row in made}:
            for d in store.history(fid):
                stored[d.id] = (d.id, d.finding_id, d.action, d.comment)
        assert sorted(stored.values()) == sorted(made)
        own = [row for row in made if row[1] != store_workers.SHARED]
        assert len(own) == workers * rounds
        # the shared finding's history is one unbroken chain: nobody replaced a decision
        # they had not seen
        shared = store.history(store_workers.SHARED)
        assert len(shared) + conflicts == workers * rounds
        assert [d.version for d in shared] == list(range(1, len(shared) + 1))
        assert [d.supersedes for d in shared] == [None, *(d.id for d in shared[:-1])]
        # one audit entry per decision, chain intact
        verification = store.verify_audit()
        assert verification.ok
        decisions = [e for e in store.audit_entries() if e.action == "decision"]
        assert len(decisions) == len(made)


def test_simultaneous_first_decisions_one_wins_one_is_told(tmp_path: Path) -> None:
    db_path = tmp_path / "fresh.db"  # not created yet: both processes create and migrate it
    barrier = SPAWN.Barrier(2)
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(
            target=store_workers.decide_after_barrier, args=(str(db_path), u, barrier, results)
        )
        for u in ("anna", "bertil")
    ]
    for p in procs:
        p.start()
    outcome = sorted([results.get(timeout=120), results.get(timeout=120)], key=lambda r: r[1])
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    (conflict_user, conflict, message), (winner, ok, decision_id) = outcome
    assert (conflict, ok) == ("conflict", "ok")
    assert winner in message and "sparades inte" in message
    with Store.open(db_path) as store:
        history = store.history("contested")
        assert [(d.id, d.decided_by) for d in history] == [(decision_id, winner)]
        assert conflict_user != winner


def _complete_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return text.split("\n")[:-1]  # drop a partial last line, if any


def test_process_killed_mid_write_leaves_a_consistent_store(db_path: Path, tmp_path: Path) -> None:
    _ready(db_path)
    report = tmp_path / "committed.txt"
    child = SPAWN.Process(target=store_workers.write_until_killed, args=(str(db_path), str(report)))
    child.start()
    deadline = time.monotonic() + 120
    while len(_complete_lines(report)) < 60 and time.monotonic() < deadline:
        assert child.is_alive(), "the writer died on its own"
        time.sleep(0.02)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    committed = [line.split() for line in _complete_lines(report)]
    assert len(committed) >= 60

    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # every run row is complete: a half-written run never became visible
    assert raw.execute("SELECT count(*) FROM runs WHERE finished_at IS NULL").fetchone() == (0,)
    raw.close()
    with Store.open(db_path) as store:
        assert store.integrity_check() == "ok"
        for decision_id, fid, action in committed:
            matching = [d for d in store.history(fid) if d.id == int(decision_id)]
            assert [d.action for d in matching] == [action]
        assert store.verify_audit().ok
        # and the store is still usable for the next writer
        latest = store.history("crash-0")[-1]
        store.decide("crash-0", PATIENT_A, "fixed", expected_decision_id=latest.id)

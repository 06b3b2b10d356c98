"""Several processes on one store, SQLite and PostgreSQL; writers killed with SIGKILL."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import store_workers
from backends import Backend
from store_helpers import PATIENT_A, finding, recon

from benchmarks.store_stress import run_stress
from medrecon.store import Store

SPAWN = multiprocessing.get_context("spawn")
# Many processes each: one at a time on one xdist worker (the Makefile runs pytest with
# --dist loadgroup), so they do not starve the rest of the suite on a 2-core machine.
pytestmark = pytest.mark.xdist_group("store-processes")


def test_concurrent_writers_lose_nothing_and_never_overwrite(backend: Backend) -> None:
    with Store.open(backend.where):
        pass  # created once: the workers race on decisions only
    workers, rounds = 4, 10  # eight writers: the random-kill test below
    with SPAWN.Pool(workers) as pool:
        results = pool.starmap(
            store_workers.decide_many, [(backend.where, w, rounds) for w in range(workers)]
        )
    made = [row for result in results for row in result["made"]]
    conflicts = sum(result["conflicts"] for result in results)

    with Store.open(backend.where) as store:
        # every decision a process was told it made is there, exactly as made
        stored = {}
        for fid in {row[1] for row in made}:
            for d in store.history(fid):
                stored[d.id] = (d.id, d.finding_id, d.action, d.comment)
        assert sorted(stored.values()) == sorted(made)
        # no false conflict: every writer's decisions on its own findings were saved
        own = [row for row in made if row[1] != store_workers.SHARED]
        assert len(own) == workers * rounds
        # the shared finding's history is one unbroken chain: nobody replaced a decision
        # they had not seen
        shared = store.history(store_workers.SHARED)
        assert len(shared) + conflicts == workers * rounds
        assert [d.version for d in shared] == list(range(1, len(shared) + 1))
        assert [d.supersedes for d in shared] == [None, *(d.id for d in shared[:-1])]
        # one audit entry per decision, everything verifies
        verification = store.verify_audit()
        assert verification.ok, verification.problems
        decisions = [e for e in store.audit_entries() if e.action == "decision"]
        assert len(decisions) == len(made)


def test_simultaneous_first_decisions_one_wins_one_is_told(backend: Backend) -> None:
    barrier = SPAWN.Barrier(2)
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(
            target=store_workers.decide_after_barrier, args=(backend.where, u, barrier, results)
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
    with Store.open(backend.where) as store:
        history = store.history("contested")
        assert [(d.id, d.decided_by) for d in history] == [(decision_id, winner)]
        assert conflict_user != winner


F1 = "00000000000000f1"


def test_two_decide_commands_on_one_finding_one_exit_3(backend: Backend) -> None:
    """Two scripts decide the same finding at once: one is saved, the other told why."""
    with Store.open(backend.where) as store:
        store.record_run(recon([finding(F1)]), [], user="natt")
    command = [sys.executable, "-m", "medrecon.cli", "decide", F1, "--patient", PATIENT_A,
               "--db", backend.where]  # fmt: skip
    procs = [
        subprocess.Popen(
            [*command, "--action", action],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "MEDRECON_DEBUG": ""},
        )
        for action in ("fixed", "intentional")
    ]
    outcomes = sorted((p.wait(timeout=120), *p.communicate()) for p in procs)
    assert [code for code, _, _ in outcomes] == [0, 3]
    (_, saved, _), (_, _, refused) = outcomes
    assert "sparat" in saved
    assert "har ändrats av någon annan" in refused and "--expect 1" in refused
    assert "Traceback" not in refused
    with Store.open(backend.where) as store:
        assert len(store.history(F1)) == 1


def test_process_killed_mid_write_leaves_a_consistent_store(
    backend: Backend, tmp_path: Path
) -> None:
    with Store.open(backend.where):
        pass
    report = tmp_path / "committed.txt"
    child = SPAWN.Process(
        target=store_workers.write_until_killed, args=(backend.where, str(report))
    )
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

    with Store.open(backend.where) as store:
        if backend.name == "sqlite":
            assert store.integrity_check() == "ok"
        # every run row is complete: a half-written run never became visible
        assert all(run is not None for run in store.runs(limit=1000)["finished_at"])
        for decision_id, fid, action in committed:
            matching = [d for d in store.history(fid) if d.id == int(decision_id)]
            assert [d.action for d in matching] == [action]
        assert store.verify_audit().ok
        # and the store is still usable for the next writer
        latest = store.history("crash-0")[-1]
        store.decide("crash-0", PATIENT_A, "fixed", expected_decision_id=latest.id)


def _complete_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return path.read_text(encoding="utf-8").split("\n")[:-1]  # drop a partial last line


def test_eight_writers_killed_at_random_lose_nothing_acknowledged(
    backend: Backend, tmp_path: Path
) -> None:
    """The bounded version of benchmarks/store_stress.py (which prints the figures)."""
    result = run_stress(
        backend.where, backend.name, tmp_path, writers=8, seconds=3.0, kill_every=(0.15, 0.4)
    )
    # that the run did something worth checking (not a speed figure)
    assert result.kills >= 5 and result.acknowledged >= 10
    assert (result.missing, result.wrong, result.false_conflicts) == (0, 0, 0)
    assert result.audit_ok, result.audit_problems

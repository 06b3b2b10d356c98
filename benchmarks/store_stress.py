"""Concurrent writers killed at random: nothing a writer was told is saved may be missing.

    .venv/bin/python benchmarks/store_stress.py --seconds 60 --writers 8

Runs on a SQLite file and on a real PostgreSQL server (started from the ``pgserver``
binaries, as in the tests) and prints, per backend, decisions per second, SIGKILLs,
decisions acknowledged and how many of them are missing (must be 0), false conflicts
(must be 0) and the audit verification.

Each writer is its own process deciding its own findings (so any conflict is a false
one), logging accesses and now and then recording a run. After each commit it appends
the decision's id to its own report file in one ``write``: a line there is a decision
the writer was told is saved. Every few hundred milliseconds the driver SIGKILLs a
random writer among those that have saved something since they started (so the kill
lands while it writes, not while Python starts) and starts a new one in its place,
which picks up from the store.
``tests/store/test_store_concurrency.py`` runs the same harness, bounded in time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPAWN = multiprocessing.get_context("spawn")
FINDINGS_PER_WRITER = 7


def writer(where: str, report: str, worker: int, seed: int) -> None:
    """Decide, log accesses and record runs until killed; report each commit."""
    from medrecon.errors import StoreConflictError
    from medrecon.model import Reconciliation
    from medrecon.store import ACTIONS, Store

    rng = random.Random(seed)
    patient = "194005121234"
    fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with Store.open(where) as store:
        ids = [f"w{worker}-f{i}" for i in range(FINDINGS_PER_WRITER)]
        current = {fid: (store.history(fid) or [None])[-1] for fid in ids}
        i = 0
        while True:
            fid = ids[i % len(ids)]
            seen = current[fid]
            try:
                d = store.decide(
                    fid,
                    patient,
                    ACTIONS[rng.randrange(len(ACTIONS))],
                    comment=f"runda {i}",
                    expected_decision_id=seen.id if seen is not None else None,
                )
            except StoreConflictError:
                os.write(fd, f"CONFLICT {fid}\n".encode())  # never expected: own findings
                current[fid] = (store.history(fid) or [None])[-1]
                continue
            current[fid] = d
            os.write(fd, f"{d.id} {fid} {d.action}\n".encode())  # one write: whole lines
            if i % 5 == 0:
                store.log_access(patient)
            if i % 40 == 0:
                store.record_run(Reconciliation.empty(), [], kind="stress")
            i += 1


@dataclass
class StressResult:
    backend: str
    writers: int
    seconds: float
    kills: int
    acknowledged: int
    missing: int
    wrong: int  # present, but with another action than acknowledged
    false_conflicts: int
    audit_ok: bool
    audit_problems: tuple[str, ...]

    @property
    def per_second(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return path.read_text(encoding="utf-8").split("\n")[:-1]  # a partial last line dropped


def run_stress(
    where: str,
    backend: str,
    folder: Path,
    *,
    writers: int,
    seconds: float,
    seed: int = 7,
    kill_every: tuple[float, float] | None = (0.1, 0.4),
) -> StressResult:
    """Writers killed at random for ``seconds`` (one kill every ``kill_every`` seconds,
    drawn uniformly; None: no kills until the end, for the steady rate); then count and
    verify."""
    from medrecon.store import Store

    with Store.open(where):
        pass  # create and migrate once, so the writers race on decisions only
    rng = random.Random(seed)
    reports = [folder / f"writer-{w}.txt" for w in range(writers)]

    def start(w: int) -> Any:
        proc = SPAWN.Process(
            target=writer, args=(where, str(reports[w]), w, rng.randrange(1 << 30)), daemon=True
        )
        proc.start()
        return proc

    procs = [start(w) for w in range(writers)]
    # The clock starts once every writer has saved its first decision: starting eight
    # Python processes at once takes seconds on two cores, and is not what is measured.
    warm_up = time.monotonic() + 120
    while time.monotonic() < warm_up and not all(_lines(r) for r in reports):
        time.sleep(0.05)
    # lines each writer's report had when it was (re)started: only a writer that has
    # written since is killed, so a kill lands in the write cycle, not in Python start-up
    at_start = [0] * writers
    kills = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if kill_every is None:
            time.sleep(max(0.0, seconds - (time.monotonic() - started)))
            break
        time.sleep(rng.uniform(*kill_every))
        writing = [w for w in range(writers) if len(_lines(reports[w])) > at_start[w]]
        if not writing:
            continue
        w = rng.choice(writing)
        if procs[w].is_alive() and procs[w].pid is not None:
            os.kill(procs[w].pid, signal.SIGKILL)
            kills += 1
        procs[w].join(timeout=30)
        at_start[w] = len(_lines(reports[w]))
        procs[w] = start(w)
    elapsed = time.monotonic() - started
    for proc in procs:
        if proc.is_alive() and proc.pid is not None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.join(timeout=30)

    made: list[tuple[int, str, str]] = []
    conflicts = 0
    for report in reports:
        for line in _lines(report):
            parts = line.split()
            if parts[0] == "CONFLICT":
                conflicts += 1
            else:
                made.append((int(parts[0]), parts[1], parts[2]))
    with Store.open(where) as store:
        stored: dict[int, str] = {}
        for fid in {fid for _, fid, _ in made}:
            stored.update({d.id: d.action for d in store.history(fid)})
        verification = store.verify_audit()
    missing = sum(1 for did, _, _ in made if did not in stored)
    wrong = sum(1 for did, _, action in made if did in stored and stored[did] != action)
    return StressResult(
        backend=backend,
        writers=writers,
        seconds=elapsed,
        kills=kills,
        acknowledged=len(made),
        missing=missing,
        wrong=wrong,
        false_conflicts=conflicts,
        audit_ok=verification.ok,
        audit_problems=verification.problems,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--no-kills", action="store_true", help="kill only at the end: the steady rate"
    )
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from pg_server import start_server

    print(
        f"{'backend':<11} {'writers':>7} {'seconds':>8} {'decisions':>9} {'per s':>7} "
        f"{'kills':>6} {'missing':>7} {'false conflicts':>15}  audit"
    )
    failed = False
    for backend in args.backends:
        with tempfile.TemporaryDirectory(prefix="medrecon-stress-") as tmp:
            folder = Path(tmp)
            os.environ["XDG_STATE_HOME"] = str(folder / "state")  # a fresh audit head record
            server = start_server() if backend == "postgresql" else None
            try:
                where = (
                    server.url(server.create_database())
                    if server is not None
                    else str(folder / "stress.db")
                )
                r = run_stress(
                    where,
                    backend,
                    folder,
                    writers=args.writers,
                    seconds=args.seconds,
                    kill_every=None if args.no_kills else (0.1, 0.4),
                )
            finally:
                if server is not None:
                    server.stop()
        audit = "hel" if r.audit_ok else "FEL: " + "; ".join(r.audit_problems)
        print(
            f"{r.backend:<11} {r.writers:>7} {r.seconds:>8.1f} {r.acknowledged:>9} "
            f"{r.per_second:>7.1f} {r.kills:>6} {r.missing + r.wrong:>7} "
            f"{r.false_conflicts:>15}  {audit}"
        )
        failed |= bool(r.missing or r.wrong or r.false_conflicts or not r.audit_ok)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

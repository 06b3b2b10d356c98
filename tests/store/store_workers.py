"""Functions run in child processes (spawn) by the concurrency and crash tests."""

from __future__ import annotations

import os
from typing import Any

from store_helpers import PATIENT_A, finding, recon

from medrecon.errors import StoreConflictError
from medrecon.store import ACTIONS, Store

SHARED = "shared-finding"


def decide_many(db_path: str, worker: int, rounds: int) -> dict[str, Any]:
    """Own findings (never contested) plus read-then-write loops on one shared finding."""
    made: list[tuple[int, str, str, str]] = []
    conflicts = 0
    with Store.open(db_path) as store:
        for i in range(rounds):
            own = f"own-{worker}-{i}"
            d = store.decide(own, PATIENT_A, ACTIONS[i % len(ACTIONS)], user=f"w{worker}")
            made.append((d.id, d.finding_id, d.action, d.comment))
            history = store.history(SHARED)
            seen = history[-1].id if history else None
            comment = f"w{worker} runda {i}"
            try:
                d = store.decide(
                    SHARED,
                    PATIENT_A,
                    ACTIONS[(worker + i) % len(ACTIONS)],
                    comment=comment,
                    user=f"w{worker}",
                    expected_decision_id=seen,
                )
            except StoreConflictError:
                conflicts += 1
            else:
                made.append((d.id, d.finding_id, d.action, d.comment))
            if i % 5 == 0:
                store.log_access(PATIENT_A, user=f"w{worker}")
    return {"made": made, "conflicts": conflicts}


def decide_after_barrier(db_path: str, user: str, barrier: Any, results: Any) -> None:
    """Both users look at the undecided finding, then both decide at the same moment."""
    with Store.open(db_path) as store:
        history = store.history("contested")
        seen = history[-1].id if history else None
        barrier.wait()
        try:
            d = store.decide(
                "contested", PATIENT_A, "intentional", user=user, expected_decision_id=seen
            )
        except StoreConflictError as exc:
            results.put((user, "conflict", exc.message))
        else:
            results.put((user, "ok", d.id))


def write_until_killed(db_path: str, report_path: str) -> None:
    """Decide, log accesses and record runs forever; report each decision after commit."""
    fd = os.open(report_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    current: dict[str, int | None] = {}
    rows = [finding(f"run-{i:04d}", substance=f"s{i}") for i in range(400)]
    with Store.open(db_path) as store:
        i = 0
        while True:
            fid = f"crash-{i % 7}"
            d = store.decide(
                fid,
                PATIENT_A,
                ACTIONS[i % len(ACTIONS)],
                comment=f"runda {i}",
                expected_decision_id=current.get(fid),
            )
            current[fid] = d.id
            os.write(fd, f"{d.id} {fid} {d.action}\n".encode())  # one write: whole lines
            if i % 3 == 0:
                store.log_access(PATIENT_A)
            if i % 10 == 0:
                store.record_run(recon(rows[i % 50 :]), [], kind="crash-test")
            i += 1

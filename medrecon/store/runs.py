"""Recording a run: which findings are new, carried, reopened or gone."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from medrecon.errors import MedreconError
from medrecon.model import FileReport, Reconciliation
from medrecon.store.audit import AuditTrail
from medrecon.store.decisions import chunks, decided_ids, lineage_previous
from medrecon.store.records import RunSummary, inserted_id
from medrecon.store.tables import findings, run_inputs, runs

log = logging.getLogger("medrecon.store")

_FINDING_COLUMNS = ("id", "patient_id", "kind", "substance", "lineage", "severity")


def describe_inputs(paths: list[Path], known: Sequence[FileReport] = ()) -> list[dict[str, Any]]:
    """Name, size and SHA-256 of each input file (a folder counts its files one by one).

    A file the adapters read (``known``) is described by what they read: the size and
    hash of exactly the bytes that were reconciled, not of the file as it is now.
    """
    read = {Path(report.path): report for report in known if report.sha256 is not None}
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file()))
        else:
            files.append(path)
    described = []
    for path in files:
        report = read.get(path)
        if report is not None:
            described.append({"name": path.name, "size": report.size, "sha256": report.sha256})
            continue
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
            size: int | None = path.stat().st_size
            sha: str | None = digest.hexdigest()
        except OSError:
            size, sha = None, None  # recorded as unreadable rather than failing the run
        described.append({"name": path.name, "size": size, "sha256": sha})
    return described


def _run_frame(recon: Reconciliation) -> tuple[pl.DataFrame, list[str]]:
    missing = set(_FINDING_COLUMNS) - set(recon.findings.columns)
    if missing:
        raise MedreconError(f"Fynden saknar kolumnerna {', '.join(sorted(missing))}.", exit_code=1)
    frame = (
        recon.findings.select(pl.col(c).cast(pl.String) for c in _FINDING_COLUMNS)
        .filter(pl.col("id").is_not_null())
        .unique(subset="id", keep="first", maintain_order=True)
    )
    patients = set(frame.get_column("patient_id").drop_nulls().to_list())
    if "patient_id" in recon.patients.columns:
        patients |= set(recon.patients.get_column("patient_id").drop_nulls().to_list())
    return frame, sorted(patients)


def record_run(
    trail: AuditTrail,
    recon: Reconciliation,
    inputs: list[dict[str, Any]],
    *,
    user: str,
    kind: str,
    at: str,
) -> RunSummary:
    """Everything in the caller's write transaction; returns what changed."""
    conn = trail.conn
    frame, patients = _run_frame(recon)
    ids = frame.get_column("id").to_list()
    id_set = set(ids)
    run_id = inserted_id(
        conn.execute(
            runs.insert().values(
                started_at=at, kind=kind, user=user, **dict.fromkeys(_COUNT_COLUMNS, 0)
            )
        )
    )
    if inputs:
        conn.execute(run_inputs.insert(), [{"run_id": run_id, **item} for item in inputs])

    existing: set[str] = set()
    for part in chunks(ids):
        existing.update(
            conn.execute(select(findings.c.id).where(findings.c.id.in_(part))).scalars()
        )
    new_ids = id_set - existing

    rows = frame.to_dicts()
    new_rows = [
        {**r, "first_seen": at, "last_seen": at, "first_run_id": run_id, "last_run_id": run_id}
        for r in rows
        if r["id"] in new_ids
    ]
    if new_rows:
        conn.execute(findings.insert(), new_rows)
    seen_again = [
        {"b_id": r["id"], "b_severity": r["severity"], "b_lineage": r["lineage"]}
        for r in rows
        if r["id"] in existing
    ]
    if seen_again:
        conn.execute(
            findings.update()
            .where(findings.c.id == bindparam("b_id"))
            .values(
                last_seen=at,
                last_run_id=run_id,
                gone_at=None,  # back again: present, not gone
                severity=bindparam("b_severity"),
                lineage=bindparam("b_lineage"),
            ),
            seen_again,
        )

    # Only patients this run covered can have lost findings; a run over one unit's files
    # says nothing about the other units' patients.
    gone_ids: set[str] = set()
    for part in chunks(patients):
        query = select(findings.c.id).where(
            findings.c.patient_id.in_(part), findings.c.gone_at.is_(None)
        )
        gone_ids.update(fid for fid in conn.execute(query).scalars() if fid not in id_set)
    if gone_ids:
        conn.execute(
            findings.update().where(findings.c.id == bindparam("b_id")).values(gone_at=at),
            [{"b_id": fid} for fid in sorted(gone_ids)],
        )

    decided = decided_ids(conn, ids)
    new_frame = frame.filter(pl.col("id").is_in(sorted(new_ids - decided)))
    previous = lineage_previous(conn, new_frame.get_column("lineage").drop_nulls().to_list(), ids)
    reopened = set(
        new_frame.filter(pl.col("lineage").is_in(sorted(previous))).get_column("id").to_list()
    )
    counts = {
        "n_patients": len(patients),
        "n_findings": len(ids),
        "n_open": len(ids) - len(decided),
        "n_new": len(new_ids),
        "n_gone": len(gone_ids),
        "n_decided": len(decided),
        "n_reopened": len(reopened),
    }
    conn.execute(runs.update().where(runs.c.id == run_id).values(finished_at=at, **counts))
    trail.append(
        at=at,
        user=user,
        action="run",
        details={"run_id": run_id, "kind": kind, "inputs": inputs, **counts},
    )
    log.info(
        "Körning %d (%s): %d patienter, %d fynd, %d nya, %d borta, %d beslutade, %d öppna igen",
        run_id,
        kind,
        counts["n_patients"],
        counts["n_findings"],
        counts["n_new"],
        counts["n_gone"],
        counts["n_decided"],
        counts["n_reopened"],
    )
    return RunSummary(
        run_id=run_id,
        started_at=at,
        new_ids=new_ids,
        gone_ids=gone_ids,
        carried_ids=decided,
        reopened_ids=reopened,
        n_patients=len(patients),
        n_findings=len(ids),
        n_open=counts["n_open"],
        n_decided=len(decided),
    )


_COUNT_COLUMNS = (
    "n_patients",
    "n_findings",
    "n_open",
    "n_new",
    "n_gone",
    "n_decided",
    "n_reopened",
)

RUNS_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.Int64(),
    "started_at": pl.String(),
    "finished_at": pl.String(),
    "kind": pl.String(),
    "user": pl.String(),
    **{name: pl.Int64() for name in _COUNT_COLUMNS},
}


def recent_runs(conn: Connection, limit: int) -> pl.DataFrame:
    """The newest ``limit`` runs, oldest first (ready for a trend line)."""
    query = (
        select(
            runs.c.id,
            runs.c.started_at,
            runs.c.finished_at,
            runs.c.kind,
            runs.c.user,
            *(runs.c[name] for name in _COUNT_COLUMNS),
        )
        .order_by(runs.c.id.desc())
        .limit(limit)
    )
    rows = [tuple(row) for row in conn.execute(query)]
    return pl.DataFrame(rows, schema=RUNS_SCHEMA, orient="row").sort("run_id")

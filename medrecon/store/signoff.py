"""Patient sign-off ("Avstämd") and the review status derived from it.

A sign-off records the decision in force on each finding it covered. It holds only while
those decisions still stand: a later decision on any of them (by anyone, in the TUI or
by ``medrecon decide``), a withdrawal, or a finding it did not cover makes it lapse, and
the patient must be signed again (status ``sign_off_lapsed``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterable
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from medrecon.errors import MedreconError
from medrecon.store.audit import AuditTrail
from medrecon.store.decisions import chunks, current_rows
from medrecon.store.records import Actor, SignOffRecord, inserted_id
from medrecon.store.tables import signoffs

# What a sign-off's audit entry records about its row (see medrecon.store.verify).
ENTRY_COLUMNS = {"at": "signed_at", "user": "signed_by", "patient_id": "patient_id"}
DETAIL_COLUMNS = (
    "lists_hash",
    "finding_ids",
    "decision_ids",
    "os_user",
    "hsa_id",
    "role",
    "acknowledgement",
)
JSON_COLUMNS = ("finding_ids", "decision_ids")  # stored as JSON text in the row

log = logging.getLogger("medrecon.store")


def sign_off(
    trail: AuditTrail,
    *,
    patient_id: str,
    finding_ids: Iterable[str],
    lists_hash: str,
    actor: Actor,
    at: str,
    acknowledgement: str | None = None,
) -> SignOffRecord:
    """Record a sign-off in the caller's write transaction, or refuse it in Swedish."""
    conn = trail.conn
    ids = sorted(set(finding_ids))
    if not patient_id:
        raise MedreconError("Avstämning kräver patientens id.")
    if not lists_hash:
        raise MedreconError("Avstämning kräver en kontrollsumma över båda listorna.")
    current = current_rows(conn, ids)
    undecided = [fid for fid in ids if fid not in current or current[fid].is_withdrawal]
    if undecided:
        raise MedreconError(
            f"Patienten kan inte stämmas av: {len(undecided)} av {len(ids)} skillnader "
            "saknar beslut. Ta ställning till varje skillnad först.",
            title="Inte klart",
        )
    foreign = [fid for fid in ids if current[fid].patient_id != patient_id]
    if foreign:
        raise MedreconError(
            f"{len(foreign)} av skillnaderna hör till en annan patient; ingen avstämning sparades."
        )
    decision_ids = [current[fid].id for fid in ids]
    record = SignOffRecord(
        id=0,
        patient_id=patient_id,
        signed_by=actor.name,
        signed_at=at,
        lists_hash=lists_hash,
        finding_ids=tuple(ids),
        decision_ids=tuple(decision_ids),
        os_user=actor.os_user,
        hsa_id=actor.hsa_id,
        role=actor.role,
        acknowledgement=acknowledgement or None,
    )
    values = _row_values(record)
    new_id = inserted_id(conn.execute(signoffs.insert().values(**values)))
    details = {name: getattr(record, name) for name in DETAIL_COLUMNS}
    trail.append(
        at=at,
        user=actor.name,
        action="sign_off",
        patient_id=patient_id,
        details={"sign_off_id": new_id, **{k: _plain(v) for k, v in details.items()}},
    )
    log.info("Avstämning %d sparad (%d skillnader, alla med beslut)", new_id, len(ids))
    return dataclasses.replace(record, id=new_id)


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _row_values(record: SignOffRecord) -> dict[str, object]:
    values: dict[str, Any] = {
        name: getattr(record, name)
        for name in ("patient_id", "signed_by", "signed_at", *DETAIL_COLUMNS)
    }
    for name in JSON_COLUMNS:
        values[name] = json.dumps(list(values[name]))
    return values


def to_record(row: Any) -> SignOffRecord:
    decision_ids = json.loads(row.decision_ids) if row.decision_ids else None
    return SignOffRecord(
        id=row.id,
        patient_id=row.patient_id,
        signed_by=row.signed_by,
        signed_at=row.signed_at,
        lists_hash=row.lists_hash,
        finding_ids=tuple(json.loads(row.finding_ids)),
        decision_ids=tuple(decision_ids) if decision_ids is not None else None,
        os_user=row.os_user,
        hsa_id=row.hsa_id,
        role=row.role,
        acknowledgement=row.acknowledgement,
    )


def latest_sign_offs(conn: Connection, patient_ids: Iterable[str]) -> dict[str, SignOffRecord]:
    result: dict[str, SignOffRecord] = {}
    for part in chunks(sorted(set(patient_ids))):
        newest = (
            select(func.max(signoffs.c.id))
            .where(signoffs.c.patient_id.in_(part))
            .group_by(signoffs.c.patient_id)
        )
        for row in conn.execute(select(signoffs).where(signoffs.c.id.in_(newest))):
            result[row.patient_id] = to_record(row)
    return result


def patient_statuses(
    conn: Connection, frame: pl.DataFrame, patient_ids: Iterable[str] = ()
) -> pl.DataFrame:
    """``patient_id``, ``status`` for every patient in ``frame`` (id, patient_id) and
    ``patient_ids`` (patients without findings).

    signed_off: the newest sign-off covers every current finding, each still has a
    decision, and it is the decision that stood at signing; sign_off_lapsed: there is a
    sign-off but one of those no longer holds; in_progress: some current finding has a
    decision; not_reviewed: neither.
    """
    pairs = frame.select(pl.col("patient_id").cast(pl.String), pl.col("id").cast(pl.String))
    patients = sorted(set(pairs.get_column("patient_id").drop_nulls().to_list()) | set(patient_ids))
    current = current_rows(conn, pairs.get_column("id").drop_nulls().to_list())
    now = pl.DataFrame(
        [(fid, rec.id, rec.decided_at, not rec.is_withdrawal) for fid, rec in current.items()],
        schema={
            "id": pl.String(),
            "decision_id": pl.Int64(),
            "decided_at": pl.String(),
            "decided": pl.Boolean(),
        },
        orient="row",
    )
    sign = latest_sign_offs(conn, patients)
    covered = pl.DataFrame(
        [
            (pid, fid, rec.decision_ids[i] if rec.decision_ids else None, rec.signed_at)
            for pid, rec in sign.items()
            for i, fid in enumerate(rec.finding_ids)
        ],
        schema={
            "patient_id": pl.String(),
            "id": pl.String(),
            "signed_decision": pl.Int64(),
            "signed_at": pl.String(),
        },
        orient="row",
    ).with_columns(covered=pl.lit(True))
    # Sign-offs from before migration 0002 did not record the decisions: for them a
    # decision taken after the signing time is what makes them lapse.
    unchanged = (
        pl.when(pl.col("signed_decision").is_not_null())
        .then(pl.col("decision_id") == pl.col("signed_decision"))
        .otherwise(pl.col("decided_at") <= pl.col("signed_at"))
    )
    per_finding = (
        pairs.join(covered, on=["patient_id", "id"], how="left")
        .join(now, on="id", how="left")
        .with_columns(
            covered=pl.col("covered").fill_null(False),
            decided=pl.col("decided").fill_null(False),
        )
        .with_columns(unchanged=(~pl.col("covered") | unchanged).fill_null(False))
        .group_by("patient_id")
        .agg(
            all_covered=pl.col("covered").all(),
            all_decided=pl.col("decided").all(),
            all_unchanged=pl.col("unchanged").all(),
            any_decided=pl.col("decided").any(),
        )
    )
    base = pl.DataFrame({"patient_id": patients}, schema={"patient_id": pl.String()})
    valid = pl.col("all_covered") & pl.col("all_decided") & pl.col("all_unchanged")
    return (
        base.join(per_finding, on="patient_id", how="left")
        .with_columns(
            has_sign_off=pl.col("patient_id").is_in(sorted(sign)),
            all_covered=pl.col("all_covered").fill_null(True),
            all_decided=pl.col("all_decided").fill_null(True),
            all_unchanged=pl.col("all_unchanged").fill_null(True),
            any_decided=pl.col("any_decided").fill_null(False),
        )
        .select(
            "patient_id",
            status=pl.when(pl.col("has_sign_off") & valid)
            .then(pl.lit("signed_off"))
            .when(pl.col("has_sign_off"))
            .then(pl.lit("sign_off_lapsed"))
            .when(pl.col("any_decided"))
            .then(pl.lit("in_progress"))
            .otherwise(pl.lit("not_reviewed")),
        )
    )

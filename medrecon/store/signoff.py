"""Patient sign-off ("Avstämd") and the review status derived from it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from medrecon.errors import MedreconError
from medrecon.store import audit
from medrecon.store.decisions import chunks, current_rows, decided_ids
from medrecon.store.records import SignOffRecord, inserted_id
from medrecon.store.tables import signoffs

log = logging.getLogger("medrecon.store")


def sign_off(
    conn: Connection,
    *,
    patient_id: str,
    finding_ids: Iterable[str],
    lists_hash: str,
    user: str,
    at: str,
) -> SignOffRecord:
    """Record a sign-off in the caller's write transaction, or refuse it in Swedish."""
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
    values = {
        "patient_id": patient_id,
        "signed_by": user,
        "signed_at": at,
        "lists_hash": lists_hash,
        "finding_ids": json.dumps(ids),
    }
    new_id = inserted_id(conn.execute(signoffs.insert().values(**values)))
    audit.append(
        conn,
        at=at,
        user=user,
        action="sign_off",
        patient_id=patient_id,
        details={"sign_off_id": new_id, "lists_hash": lists_hash, "finding_ids": ids},
    )
    log.info("Avstämning %d sparad (%d skillnader, alla med beslut)", new_id, len(ids))
    return SignOffRecord(
        id=new_id,
        patient_id=patient_id,
        signed_by=user,
        signed_at=at,
        lists_hash=lists_hash,
        finding_ids=tuple(ids),
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
            result[row.patient_id] = SignOffRecord(
                id=row.id,
                patient_id=row.patient_id,
                signed_by=row.signed_by,
                signed_at=row.signed_at,
                lists_hash=row.lists_hash,
                finding_ids=tuple(json.loads(row.finding_ids)),
            )
    return result


def patient_statuses(
    conn: Connection, frame: pl.DataFrame, patient_ids: Iterable[str] = ()
) -> pl.DataFrame:
    """``patient_id``, ``status`` for every patient in ``frame`` (id, patient_id) and
    ``patient_ids`` (patients without findings).

    signed_off: the newest sign-off covers every current finding and each still has a
    decision; in_progress: some current finding has a decision, or an earlier sign-off
    lapsed; not_reviewed: neither.
    """
    pairs = frame.select(pl.col("patient_id").cast(pl.String), pl.col("id").cast(pl.String))
    patients = sorted(set(pairs.get_column("patient_id").drop_nulls().to_list()) | set(patient_ids))
    decided = decided_ids(conn, pairs.get_column("id").drop_nulls().to_list())
    sign = latest_sign_offs(conn, patients)
    covered = pl.DataFrame(
        [(pid, fid) for pid, rec in sign.items() for fid in rec.finding_ids],
        schema={"patient_id": pl.String(), "id": pl.String()},
        orient="row",
    ).with_columns(covered=pl.lit(True))
    per_finding = (
        pairs.join(covered, on=["patient_id", "id"], how="left")
        .with_columns(
            covered=pl.col("covered").fill_null(False),
            decided=pl.col("id").is_in(sorted(decided)),
        )
        .group_by("patient_id")
        .agg(
            all_covered=pl.col("covered").all(),
            all_decided=pl.col("decided").all(),
            any_decided=pl.col("decided").any(),
        )
    )
    base = pl.DataFrame({"patient_id": patients}, schema={"patient_id": pl.String()})
    return (
        base.join(per_finding, on="patient_id", how="left")
        .with_columns(
            has_sign_off=pl.col("patient_id").is_in(sorted(sign)),
            all_covered=pl.col("all_covered").fill_null(True),
            all_decided=pl.col("all_decided").fill_null(True),
            any_decided=pl.col("any_decided").fill_null(False),
        )
        .select(
            "patient_id",
            status=pl.when(pl.col("has_sign_off") & pl.col("all_covered") & pl.col("all_decided"))
            .then(pl.lit("signed_off"))
            .when(pl.col("any_decided") | pl.col("has_sign_off"))
            .then(pl.lit("in_progress"))
            .otherwise(pl.lit("not_reviewed")),
        )
    )

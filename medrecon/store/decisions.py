"""Decisions per finding id: append-only history with optimistic concurrency.

The *current* decision of a finding is its newest row. A change is a new row that
supersedes it; a withdrawal is a row with action ``withdrawn`` (the finding is open
again). Every write runs in one write transaction together with its audit entry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection, Row

from medrecon.errors import MedreconError, StoreConflictError
from medrecon.store.audit import AuditTrail
from medrecon.store.records import (
    ACTIONS,
    WITHDRAWN,
    Actor,
    DecisionRecord,
    action_label,
    inserted_id,
    local_time_text,
)
from medrecon.store.tables import decisions, findings

log = logging.getLogger("medrecon.store")

CHUNK = 500  # bound parameters per IN (...) list, well below every backend's limit


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# What an audit entry of a decision records about its row: the entry's own columns, and
# these keys of its details (``medrecon.store.verify`` compares the row with them).
ENTRY_COLUMNS = {
    "at": "decided_at",
    "user": "decided_by",
    "patient_id": "patient_id",
    "finding_id": "finding_id",
}
DETAIL_COLUMNS = (
    "action",
    "comment",
    "supersedes",
    "version",
    "lineage",
    "os_user",
    "hsa_id",
    "role",
    "imported",
)


def to_record(row: Row[Any]) -> DecisionRecord:
    return DecisionRecord(
        id=row.id,
        finding_id=row.finding_id,
        patient_id=row.patient_id,
        lineage=row.lineage,
        version=row.version,
        supersedes=row.supersedes,
        action=row.action,
        comment=row.comment,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        os_user=row.os_user,
        hsa_id=row.hsa_id,
        role=row.role,
        imported=row.imported,
    )


def current_rows(conn: Connection, finding_ids: Iterable[str]) -> dict[str, DecisionRecord]:
    """The newest decision row (withdrawals included) of each id that has one."""
    ids = sorted(set(finding_ids))
    result: dict[str, DecisionRecord] = {}
    for part in chunks(ids):
        newest = (
            select(func.max(decisions.c.id))
            .where(decisions.c.finding_id.in_(part))
            .group_by(decisions.c.finding_id)
        )
        for row in conn.execute(select(decisions).where(decisions.c.id.in_(newest))):
            result[row.finding_id] = to_record(row)
    return result


def decided_ids(conn: Connection, finding_ids: Iterable[str]) -> set[str]:
    """Ids whose current decision is an action (not withdrawn)."""
    return {fid for fid, rec in current_rows(conn, finding_ids).items() if not rec.is_withdrawal}


def lineage_previous(
    conn: Connection, lineages: Iterable[str], exclude_ids: Iterable[str]
) -> dict[str, DecisionRecord]:
    """Per lineage, the newest standing decision taken under another finding id.

    ``exclude_ids`` are the findings being looked at now: a sibling that is present at
    the same time is not an "earlier version".
    """
    wanted = sorted({lin for lin in lineages if lin})
    excluded = set(exclude_ids)
    ids_by_lineage: dict[str, str] = {}
    for part in chunks(wanted):
        direct = select(decisions.c.finding_id, decisions.c.lineage).where(
            decisions.c.lineage.in_(part)
        )
        via_findings = select(findings.c.id, findings.c.lineage).where(findings.c.lineage.in_(part))
        for fid, lin in [*conn.execute(direct), *conn.execute(via_findings)]:
            if fid not in excluded:
                ids_by_lineage[fid] = lin
    best: dict[str, DecisionRecord] = {}
    for fid, rec in current_rows(conn, ids_by_lineage).items():
        if rec.is_withdrawal:
            continue
        lin = ids_by_lineage[fid]
        if lin not in best or rec.id > best[lin].id:
            best[lin] = rec
    return best


def history(conn: Connection, finding_id: str) -> list[DecisionRecord]:
    query = select(decisions).where(decisions.c.finding_id == finding_id).order_by(decisions.c.id)
    return [to_record(row) for row in conn.execute(query)]


def lineage_history(conn: Connection, lineage: str) -> list[DecisionRecord]:
    ids = select(findings.c.id).where(findings.c.lineage == lineage)
    query = (
        select(decisions)
        .where(or_(decisions.c.lineage == lineage, decisions.c.finding_id.in_(ids)))
        .order_by(decisions.c.id)
    )
    return [to_record(row) for row in conn.execute(query)]


def conflict_message(current: DecisionRecord | None, expected: int | None) -> str:
    if current is None:
        return (
            f"Beslutet du utgick från (nr {expected}) finns inte för fyndet. "
            "Inget sparades; ladda om fyndet och försök igen."
        )
    when = local_time_text(current.decided_at)
    if current.is_withdrawal:
        what = "återtog beslutet"
    else:
        what = f"beslutade ”{action_label(current.action)}”"
    return (
        f"Fyndet har ändrats av någon annan: {current.actor} {what} {when}. "
        "Ditt beslut sparades inte; ladda om fyndet och försök igen."
    )


def _check_expected(current: DecisionRecord | None, expected: int | None) -> None:
    """Raise unless the current decision is the one the user saw (None = none seen)."""
    if current is None:
        ok = expected is None
    elif expected is None:
        ok = current.is_withdrawal  # "no decision" is what the user saw, and what holds
    else:
        ok = current.id == expected
    if not ok:
        raise StoreConflictError(conflict_message(current, expected), title="Konflikt")


def write_decision(
    trail: AuditTrail,
    *,
    finding_id: str,
    patient_id: str,
    action: str,
    comment: str,
    actor: Actor,
    at: str,
    expected_decision_id: int | None,
    lineage: str | None,
) -> DecisionRecord:
    """Check and insert one decision row plus its audit entry (caller's write transaction)."""
    conn = trail.conn
    if not finding_id or not patient_id:
        raise MedreconError("Ett beslut behöver både fyndets id och patientens id.")
    if action != WITHDRAWN and action not in ACTIONS:
        raise MedreconError(f"Okänd åtgärd ”{action}”. Giltiga åtgärder: {', '.join(ACTIONS)}.")
    current = current_rows(conn, [finding_id]).get(finding_id)
    _check_expected(current, expected_decision_id)
    if action == WITHDRAWN and (current is None or current.is_withdrawal):
        raise MedreconError("Fyndet har inget beslut att återta.")
    if current is not None and current.patient_id != patient_id:
        raise MedreconError("Fyndet hör till en annan patient; beslutet sparades inte.")
    if lineage is None:
        lineage = conn.execute(
            select(findings.c.lineage).where(findings.c.id == finding_id)
        ).scalar()
        if lineage is None and current is not None:
            lineage = current.lineage
    values = {
        "finding_id": finding_id,
        "patient_id": patient_id,
        "lineage": lineage,
        "version": (current.version + 1) if current else 1,
        "supersedes": current.id if current else None,
        "action": action,
        "comment": comment or "",
        "decided_by": actor.name,
        "decided_at": at,
        "os_user": actor.os_user,
        "hsa_id": actor.hsa_id,
        "role": actor.role,
        "imported": actor.imported,
    }
    new_id = inserted_id(conn.execute(decisions.insert().values(**values)))
    record = DecisionRecord(id=new_id, **values)  # type: ignore[arg-type]
    trail.append(
        at=at,
        user=actor.name,
        action="withdrawal" if action == WITHDRAWN else "decision",
        patient_id=patient_id,
        finding_id=finding_id,
        details={"decision_id": record.id, **{name: values[name] for name in DETAIL_COLUMNS}},
    )
    log.info(
        "Beslut %d sparat för fynd %s (%s, version %d)",
        record.id,
        finding_id,
        action,
        record.version,
    )
    return record

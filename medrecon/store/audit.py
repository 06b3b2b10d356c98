"""The audit log: append-only entries chained by SHA-256.

Each entry's hash is ``sha256(previous hash + canonical JSON of the entry)``, so
editing, inserting or removing an entry anywhere but at the very end breaks the chain at
that point. Entries are written by the caller's transaction, together with the change
they record. The head hash is also written to the application log after every run, as
an anchor outside the database against someone cutting off the newest entries.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from medrecon.store.records import AuditEntry, AuditVerification
from medrecon.store.tables import audit_log

GENESIS_HASH = "0" * 64

# Swedish names of the audit actions, for `medrecon audit show`.
AUDIT_ACTION_LABEL = {
    "decision": "Beslut",
    "withdrawal": "Beslut återtaget",
    "sign_off": "Avstämd",
    "access": "Åtkomst",
    "run": "Körning",
}


def format_hash(value: str) -> str:
    """A hash in groups of eight, for people and log files.

    Grouping also keeps long runs of digits out of the log, where the personnummer mask
    of ``medrecon.logsetup`` would otherwise blank part of the hash.
    """
    return " ".join(value[i : i + 8] for i in range(0, len(value), 8))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, row: dict[str, Any]) -> str:
    payload = canonical_json(
        {
            "seq": row["seq"],
            "at": row["at"],
            "user": row["user"],
            "action": row["action"],
            "patient_id": row["patient_id"],
            "finding_id": row["finding_id"],
            "details": row["details"],  # the stored JSON text itself, byte for byte
        }
    )
    return hashlib.sha256((previous_hash + payload).encode("utf-8")).hexdigest()


def append(
    conn: Connection,
    *,
    at: str,
    user: str,
    action: str,
    patient_id: str | None = None,
    finding_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one entry inside the caller's (write) transaction; returns its seq."""
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    previous_hash = last.hash if last else GENESIS_HASH
    row: dict[str, Any] = {
        "seq": (last.seq + 1) if last else 1,
        "at": at,
        "user": user,
        "action": action,
        "patient_id": patient_id,
        "finding_id": finding_id,
        "details": canonical_json(details or {}),
    }
    row["hash"] = entry_hash(previous_hash, row)
    conn.execute(audit_log.insert().values(**row))
    return int(row["seq"])


def head(conn: Connection) -> tuple[int, str] | None:
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return (int(last.seq), str(last.hash)) if last else None


def entries(conn: Connection, patient_id: str | None = None) -> list[AuditEntry]:
    query = select(audit_log).order_by(audit_log.c.seq)
    if patient_id is not None:
        query = query.where(audit_log.c.patient_id == patient_id)
    result = []
    for row in conn.execute(query):
        try:
            details = json.loads(row.details)
        except ValueError:  # tampered text: show it rather than fail
            details = {"ogiltig_text": row.details}
        result.append(
            AuditEntry(
                seq=row.seq,
                at=row.at,
                user=row.user,
                action=row.action,
                patient_id=row.patient_id,
                finding_id=row.finding_id,
                details=details,
                hash=row.hash,
            )
        )
    return result


def verify(conn: Connection) -> AuditVerification:
    """Recompute the whole chain; report the first entry that is altered or missing."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    rows = conn.execution_options(yield_per=2000).execute(
        select(audit_log).order_by(audit_log.c.seq)
    )
    for row in rows.mappings():
        if row["seq"] != expected_seq:
            return AuditVerification(
                ok=False,
                entries=checked,
                first_bad=expected_seq,
                message=(
                    f"Granskningsloggen är bruten: post {expected_seq} saknas "
                    f"(nästa post är {row['seq']})."
                ),
            )
        if entry_hash(previous_hash, dict(row)) != row["hash"]:
            return AuditVerification(
                ok=False,
                entries=checked,
                first_bad=expected_seq,
                message=(
                    f"Granskningsloggen är bruten vid post {expected_seq} "
                    f"({row['at']}): posten har ändrats eller kedjan bryts här."
                ),
            )
        previous_hash = row["hash"]
        expected_seq += 1
        checked += 1
    return AuditVerification(
        ok=True,
        entries=checked,
        first_bad=None,
        message=f"Granskningsloggen är hel: {checked} poster kontrollerade.",
        head_hash=previous_hash if checked else None,
    )

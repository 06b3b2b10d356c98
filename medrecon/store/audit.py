"""The audit log: append-only entries chained by SHA-256 and signed with the audit key.

Each entry's hash is ``sha256(previous hash + canonical JSON of the entry)``, so
editing, inserting or removing an entry anywhere but at the very end breaks the chain at
that point; its ``mac`` (``medrecon.store.signing``) makes re-hashing the chain after an
edit detectable too. Entries are written by the caller's transaction, together with the
change they record; after the commit the store records the head outside the database
(``medrecon.store.anchor``), which shows when the newest entries are cut off.
``medrecon.store.verify`` checks all of it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from medrecon.errors import MedreconError
from medrecon.store.records import AuditEntry
from medrecon.store.signing import KEY_ID, KEYED_FROM, AuditKey, store_key_id, wrong_key_message
from medrecon.store.tables import audit_log, store_meta

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


class AuditTrail:
    """Appends signed entries inside one write transaction and remembers the head it left.

    The first entry of a transaction also checks that the store is signed with this key
    (and records the key's id when the store has none yet), so two keys never sign one
    chain.
    """

    def __init__(self, conn: Connection, key: AuditKey) -> None:
        self.conn = conn
        self.key = key
        self.head: tuple[int, str] | None = None  # (seq, hash) of the last entry appended

    def append(
        self,
        *,
        at: str,
        user: str,
        action: str,
        patient_id: str | None = None,
        finding_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Append one entry; returns its seq."""
        last = self.head or head(self.conn)
        seq = last[0] + 1 if last else 1
        if self.head is None:
            self._claim(seq, at)
        row: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "user": user,
            "action": action,
            "patient_id": patient_id,
            "finding_id": finding_id,
            "details": canonical_json(details or {}),
        }
        row["hash"] = entry_hash(last[1] if last else GENESIS_HASH, row)
        row["mac"] = self.key.mac(seq, row["hash"])
        self.conn.execute(audit_log.insert().values(**row))
        self.head = (seq, row["hash"])
        return seq

    def _claim(self, seq: int, at: str) -> None:
        key_id, _ = store_key_id(self.conn)
        if key_id is None:
            self.conn.execute(
                store_meta.insert(),
                [
                    {"name": KEY_ID, "value": self.key.key_id, "set_at": at},
                    {"name": KEYED_FROM, "value": str(seq), "set_at": at},
                ],
            )
        elif key_id != self.key.key_id:
            raise MedreconError(wrong_key_message(self.key.path), title="Fel nyckel")


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

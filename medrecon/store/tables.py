"""The store's schema as SQLAlchemy Core metadata.

This is the *current* shape of the tables; Alembic migrations under ``migrations/``
build it step by step (a test checks that the migration head equals this metadata).
Times are ISO-8601 UTC strings so that the file reads the same on every backend.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# One row per nightly (or interactive) run of the engine whose findings were recorded.
runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("kind", String(40), nullable=False),
    Column("user", String(200), nullable=False),
    Column("n_patients", Integer, nullable=False, default=0),
    Column("n_findings", Integer, nullable=False, default=0),
    Column("n_open", Integer, nullable=False, default=0),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_gone", Integer, nullable=False, default=0),
    Column("n_decided", Integer, nullable=False, default=0),
    Column("n_reopened", Integer, nullable=False, default=0),
    sqlite_autoincrement=True,
)

run_inputs = Table(
    "run_inputs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("name", String(500), nullable=False),
    Column("size", Integer),
    Column("sha256", String(64)),
    sqlite_autoincrement=True,
)

# Every finding id the store has seen in a run: when first and last, and when it went.
findings = Table(
    "findings",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("patient_id", String(40), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("substance", String(500)),
    Column("lineage", String(64), index=True),
    Column("severity", String(20)),
    Column("first_seen", String(40), nullable=False),
    Column("last_seen", String(40), nullable=False),
    Column("gone_at", String(40)),
    Column("first_run_id", Integer, ForeignKey("runs.id")),
    Column("last_run_id", Integer, ForeignKey("runs.id")),
)


def identity_columns() -> list[Column[str]]:
    """Who stands behind a row beside the name shown: the OS account that wrote it and,
    when configured, the person's HSA-id and role. Null on rows from before 0002."""
    return [
        Column("os_user", String(200)),
        Column("hsa_id", String(64)),
        Column("role", String(40)),
    ]


# Decisions are history: never updated, never deleted (triggers on SQLite). A change is a
# new row; ``version`` counts rows per finding and is unique, so two writers that both
# saw version n can never both store version n + 1, on any database backend.
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("finding_id", String(64), nullable=False, index=True),
    Column("patient_id", String(40), nullable=False, index=True),
    Column("lineage", String(64), index=True),
    Column("version", Integer, nullable=False),
    Column("supersedes", Integer, ForeignKey("decisions.id")),
    Column("action", String(40), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", String(40), nullable=False),
    *identity_columns(),
    # True when recorded by ``decide --user NAME``: os_user imported it on NAME's behalf
    Column("imported", Boolean()),
    UniqueConstraint("finding_id", "version", name="uq_decisions_finding_version"),
    sqlite_autoincrement=True,
)

signoffs = Table(
    "signoffs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", String(40), nullable=False, index=True),
    Column("signed_by", String(200), nullable=False),
    Column("signed_at", String(40), nullable=False),
    Column("lists_hash", String(128), nullable=False),
    Column("finding_ids", Text, nullable=False),  # JSON list, sorted
    # JSON list of the decision ids in force at signing, parallel to finding_ids: a later
    # decision on any of them makes the sign-off lapse (null on rows from before 0002)
    Column("decision_ids", Text),
    *identity_columns(),
    # what the signer confirmed about rows that could not be loaded (null: nothing to)
    Column("acknowledgement", Text),
    sqlite_autoincrement=True,
)

# Append-only, hash-chained: hash = sha256(previous hash + canonical JSON of the entry).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("user", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("patient_id", String(40)),
    Column("finding_id", String(64)),
    Column("details", Text, nullable=False),
    Column("hash", String(64), nullable=False),
    # HMAC of the hash with the store's audit key (kept outside the database): nobody
    # without the key can re-hash the chain. Null on entries from before the key.
    Column("mac", String(64)),
)

Index("ix_audit_log_patient_id", audit_log.c.patient_id)

# Facts about the store itself, written once each: the audit key's id and the first
# entry it signs. Append-only like the history.
store_meta = Table(
    "store_meta",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),
    Column("set_at", String(40), nullable=False),
)

# Tables whose rows must never change once written (triggers enforce it on every backend).
APPEND_ONLY_TABLES = ("decisions", "signoffs", "audit_log", "store_meta")

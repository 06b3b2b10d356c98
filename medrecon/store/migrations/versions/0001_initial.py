"""Initial schema: runs, findings, decisions, sign-offs, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_APPEND_ONLY = ("decisions", "signoffs", "audit_log")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("n_patients", sa.Integer(), nullable=False),
        sa.Column("n_findings", sa.Integer(), nullable=False),
        sa.Column("n_open", sa.Integer(), nullable=False),
        sa.Column("n_new", sa.Integer(), nullable=False),
        sa.Column("n_gone", sa.Integer(), nullable=False),
        sa.Column("n_decided", sa.Integer(), nullable=False),
        sa.Column("n_reopened", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "run_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_run_inputs_run_id_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_run_inputs"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_run_inputs_run_id", "run_inputs", ["run_id"])
    op.create_table(
        "findings",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("patient_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("substance", sa.String(500), nullable=True),
        sa.Column("lineage", sa.String(64), nullable=True),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("first_seen", sa.String(40), nullable=False),
        sa.Column("last_seen", sa.String(40), nullable=False),
        sa.Column("gone_at", sa.String(40), nullable=True),
        sa.Column("first_run_id", sa.Integer(), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_run_id"], ["runs.id"], name="fk_findings_first_run_id_runs"
        ),
        sa.ForeignKeyConstraint(["last_run_id"], ["runs.id"], name="fk_findings_last_run_id_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
    )
    op.create_index("ix_findings_patient_id", "findings", ["patient_id"])
    op.create_index("ix_findings_lineage", "findings", ["lineage"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.String(64), nullable=False),
        sa.Column("patient_id", sa.String(40), nullable=False),
        sa.Column("lineage", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["supersedes"], ["decisions.id"], name="fk_decisions_supersedes_decisions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.UniqueConstraint("finding_id", "version", name="uq_decisions_finding_version"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_decisions_finding_id", "decisions", ["finding_id"])
    op.create_index("ix_decisions_patient_id", "decisions", ["patient_id"])
    op.create_index("ix_decisions_lineage", "decisions", ["lineage"])
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(40), nullable=False),
        sa.Column("signed_by", sa.String(200), nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.Column("lists_hash", sa.String(128), nullable=False),
        sa.Column("finding_ids", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_signoffs"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_signoffs_patient_id", "signoffs", ["patient_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("patient_id", sa.String(40), nullable=True),
        sa.Column("finding_id", sa.String(64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_patient_id", "audit_log", ["patient_id"])

    if op.get_bind().dialect.name == "sqlite":
        # History and audit rows are append-only: the database itself refuses changes, so
        # a bug or a careless script cannot rewrite them (the hash chain catches the rest).
        for table in _APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _APPEND_ONLY:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
    for table in ("audit_log", "signoffs", "decisions", "findings", "run_inputs", "runs"):
        op.drop_table(table)

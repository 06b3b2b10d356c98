"""Who decided, sign-offs that lapse, a signed audit log, append-only on PostgreSQL too.

Adds the identity columns (OS user, HSA-id, role) to decisions and sign-offs, the
decisions a sign-off covered, the audit entries' HMAC, the ``store_meta`` table, and
the append-only triggers on PostgreSQL (0001 created them on SQLite only). Only columns
are added: every existing row, decision and audit entry stays exactly as it was.

Revision ID: 0002
Revises: 0001
Create Date: 2026-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_PG_FUNCTION = "medrecon_append_only"


def _identity() -> list[sa.Column[str]]:
    return [
        sa.Column("os_user", sa.String(200), nullable=True),
        sa.Column("hsa_id", sa.String(64), nullable=True),
        sa.Column("role", sa.String(40), nullable=True),
    ]


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN (no batch copy): the append-only triggers stay.
    for column in [*_identity(), sa.Column("imported", sa.Boolean(), nullable=True)]:
        op.add_column("decisions", column)
    for column in [
        sa.Column("decision_ids", sa.Text(), nullable=True),
        *_identity(),
        sa.Column("acknowledgement", sa.Text(), nullable=True),
    ]:
        op.add_column("signoffs", column)
    op.add_column("audit_log", sa.Column("mac", sa.String(64), nullable=True))
    op.create_table(
        "store_meta",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("set_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_store_meta"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER store_meta_no_{event.lower()} BEFORE {event} ON store_meta "
                "BEGIN SELECT RAISE(ABORT, 'store_meta is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in ("decisions", "signoffs", "audit_log", "store_meta"):
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()"
                )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in ("decisions", "signoffs", "audit_log", "store_meta"):
            for event in ("update", "delete", "truncate"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()")
    elif dialect == "sqlite":
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS store_meta_no_{event}")
    op.drop_table("store_meta")
    op.drop_column("audit_log", "mac")
    for name in ("acknowledgement", "role", "hsa_id", "os_user", "decision_ids"):
        op.drop_column("signoffs", name)
    for name in ("imported", "role", "hsa_id", "os_user"):
        op.drop_column("decisions", name)

"""Alembic environment: runs on the connection handed over by ``medrecon.store.migrate``.

No alembic.ini is needed: ``migrate.alembic_config`` builds the configuration in code and
passes an open connection (already inside a write transaction) in
``config.attributes["connection"]``. For a developer writing a new revision,
``migrate.make_revision`` uses ``sqlalchemy.url`` instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from medrecon.store.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:
    _engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with _engine.begin() as _conn:
        _run(_conn)

"""The two store backends side by side, for tests that must hold on both.

``Backend.where`` is what a user passes as ``--db`` (a file path or a URL);
``Backend.raw()`` is a plain driver connection for the tests that tamper with the
database behind medrecon's back.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from pg_server import PgServer

from medrecon.store.tables import APPEND_ONLY_TABLES


@dataclass
class Backend:
    name: str  # "sqlite" | "postgresql"
    where: str
    server: PgServer | None = None
    database: str | None = None

    def raw(self) -> Raw:
        if self.server is not None and self.database is not None:
            return Raw(self.server.raw(self.database), "postgresql")
        conn = sqlite3.connect(self.where, isolation_level=None)
        return Raw(conn, "sqlite")


class Raw:
    """SQL with ``?`` placeholders on either driver, autocommitted."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        cursor = self.conn.execute(sql, params)
        try:
            return [tuple(row) for row in cursor.fetchall()]
        except Exception:  # statements without rows
            return []

    def drop_guards(self) -> None:
        """What an attacker with write access does first: remove the append-only triggers."""
        for table in APPEND_ONLY_TABLES:
            if self.dialect == "postgresql":
                self.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                for event in ("update", "delete"):
                    self.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")

    def restore_guards(self) -> None:
        """A careful attacker puts them back, so only the tampering itself can show."""
        for table in APPEND_ONLY_TABLES:
            if self.dialect == "postgresql":
                self.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                continue
            for event in ("UPDATE", "DELETE"):
                self.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )

    def close(self) -> None:
        self.conn.close()

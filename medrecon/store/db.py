"""Opening the database: engine, SQLite pragmas, owner-only files, migrations.

Writers are serialised on both backends, because every write appends to one hash chain
(the audit log) and must read its head first:

- SQLite: each connection runs with WAL, a busy timeout, foreign keys on and
  ``synchronous=FULL`` (a committed decision survives a power cut). pysqlite's own
  transaction handling is switched off so that write transactions start with
  ``BEGIN IMMEDIATE``: the write lock is taken *before* the current decision is read.
- PostgreSQL: a write transaction first takes one transaction-scoped advisory lock
  (``pg_advisory_xact_lock``), the server's equivalent of ``BEGIN IMMEDIATE``. Under
  READ COMMITTED every later statement then sees what the previous writer committed,
  so the optimistic check, the insert and the next audit number are one atomic step.
  Reads run in REPEATABLE READ: one snapshot, so a decision and its audit entry are
  always seen together.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import OperationalError

from medrecon.errors import MedreconError
from medrecon.files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_BEGIN_OPTION = "medrecon_begin"
# One advisory lock key per database for all medrecon writers ("medrec" in ASCII).
WRITE_LOCK_KEY = 0x6D6564726563
_PG_LOCK_NOT_AVAILABLE = "55P03"
_BUSY = (
    "Beslutsregistret är upptaget av en annan användare eller av nattkörningen. "
    "Ändringen sparades inte; försök igen om en stund."
)


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside are owner-only (umask is process-wide: keep short)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def prepare_private_file(path: Path) -> None:
    """Create the database file (and its folder) owner-only, or tighten an existing one."""
    with private_umask():
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=PRIVATE_DIR_MODE)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
    # SQLite creates -wal and -shm with the database file's mode; tighten leftovers too.
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if candidate.stat().st_mode & 0o077:
                os.chmod(candidate, PRIVATE_FILE_MODE)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: URL) -> Engine:
    """An engine for ``url``; SQLite gets the pragmas and explicit BEGIN handling."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": 10,
            "application_name": "medrecon",
            # A writer waits this long for the write lock, as SQLite's busy timeout.
            "options": f"-c lock_timeout={BUSY_TIMEOUT_MS}",
        },
    )


def is_postgresql(conn: Connection | Engine) -> bool:
    return conn.dialect.name == "postgresql"


def _busy(exc: OperationalError) -> bool:
    if getattr(exc.orig, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction holding the store's write lock from its first statement."""
    try:
        with engine.connect() as conn:
            conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                if is_postgresql(conn):
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY}
                    )
                yield conn
    except OperationalError as exc:
        if not _busy(exc):
            raise
        # Another writer (often the nightly run) held the lock past the busy timeout. The
        # transaction was rolled back, so the user must know this change is not saved.
        raise MedreconError(_BUSY, title="Upptaget") from None


@contextlib.contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A consistent read snapshot (readers never block writers)."""
    with engine.connect() as conn:
        if is_postgresql(conn):
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def enable_wal(engine: Engine) -> None:
    """Switch the file to WAL once (the mode is stored in the file).

    Runs on the raw driver connection: the mode cannot change inside a transaction, and
    SQLAlchemy would begin one on the first statement.
    """
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        cursor.close()
    finally:
        raw.close()
    if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
        raise MedreconError(
            "Databasen kunde inte öppnas i WAL-läge (journal_mode blev "
            f"{mode}). Lägg databasen på en lokal disk."
        )


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code; no alembic.ini on the user's machine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def has_schema(engine: Engine) -> bool:
    """Whether medrecon has created its tables in this database."""
    with engine.connect() as conn:
        return inspect(conn).has_table("alembic_version")


def migrate(engine: Engine) -> None:
    """Upgrade to the newest schema; a no-op when already there.

    Runs inside a write transaction, so two processes opening a new file at once do not
    both create the tables: the second waits and then finds the schema at head.
    """
    with write_transaction(engine) as conn:
        command.upgrade(alembic_config(conn), "head")


def make_revision(message: str, url: str) -> None:  # pragma: no cover - developer tool
    """Autogenerate a new migration against a database at head (developer use only)."""
    config = alembic_config()
    config.set_main_option("sqlalchemy.url", url)
    command.revision(config, message=message, autogenerate=True)

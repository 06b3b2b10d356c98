from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Backend
from pg_server import PgServer

from medrecon.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "medrecon.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as opened:
        yield opened


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The same test on a SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "data" / "medrecon.db"))
    server: PgServer = request.getfixturevalue("pg_server")
    database = server.create_database()
    return Backend("postgresql", server.url(database), server, database)

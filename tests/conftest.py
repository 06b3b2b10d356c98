"""Fixtures for the whole suite: each test's own settings, state and config folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from pg_server import PgServer, start_server

# Speed is measured in benchmark scripts, never asserted in tests: no per-example
# deadline (on a busy 2-core machine a first example can take longer than 200 ms while
# other tests start processes and a PostgreSQL server). Tests may still set their own.
settings.register_profile("medrecon", deadline=None)
settings.load_profile("medrecon")


@pytest.fixture(autouse=True)
def _own_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the developer's config.toml or leaves audit keys and known audit
    heads in their home folder; spawned worker processes inherit the same folders."""
    home = tmp_path_factory.mktemp("home")
    for variable, name in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(variable, str(Path(home) / name))
    for variable in ("MEDRECON_DB", "MEDRECON_AUDIT_KEY", "MEDRECON_HSA_ID", "MEDRECON_ROLE"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One real PostgreSQL server per test process, started on first use."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A URL (with password) to a new, empty database owned by the store's role."""
    return pg_server.url(pg_server.create_database())

"""The store file: owner-only permissions, where it lives, and its migrations."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from store_helpers import PATIENT_A

from medrecon.errors import MedreconError
from medrecon.store import Store, default_location, resolve_location
from medrecon.store.db import alembic_config
from medrecon.store.tables import metadata


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_and_shm_and_new_folder_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a typical permissive umask must not leak into the file
    try:
        path = tmp_path / "new" / "folder" / "medrecon.db"
        with Store.open(path) as store:
            store.decide("f1", PATIENT_A, "fixed")
            assert _mode(path) == 0o600
            assert _mode(Path(f"{path}-wal")) == 0o600
            assert _mode(Path(f"{path}-shm")) == 0o600
            assert _mode(path.parent) == 0o700
    finally:
        os.umask(old)
    assert os.umask(old) == old  # the store restored the process umask


def test_existing_permissive_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "medrecon.db"
    with Store.open(path):
        pass
    os.chmod(path, 0o644)
    with Store.open(path):
        assert _mode(path) == 0o600


def test_pragmas_wal_foreign_keys_busy_timeout(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 5000


def test_db_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDRECON_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_location().path == tmp_path / "data" / "medrecon" / "medrecon.db"

    config = tmp_path / "config" / "medrecon" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('db = "/srv/medrecon/beslut.db"\n', encoding="utf-8")
    assert default_location().path == Path("/srv/medrecon/beslut.db")
    config.write_text('db = "lokal.db"\n', encoding="utf-8")
    assert default_location().path == config.parent / "lokal.db"

    monkeypatch.setenv("MEDRECON_DB", str(tmp_path / "env.db"))
    assert default_location().path == tmp_path / "env.db"
    assert resolve_location(str(tmp_path / "flag.db")).path == tmp_path / "flag.db"
    assert resolve_location(None).path == tmp_path / "env.db"


def test_broken_config_is_a_swedish_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDRECON_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "medrecon").mkdir()
    (tmp_path / "medrecon" / "config.toml").write_text("db = \n", encoding="utf-8")
    with pytest.raises(MedreconError, match="Inställningsfilen"):
        default_location()
    (tmp_path / "medrecon" / "config.toml").write_text("db = 5\n", encoding="utf-8")
    with pytest.raises(MedreconError, match="inom citattecken"):
        default_location()


def test_folder_given_as_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MedreconError, match="är en mapp"):
        Store.open(tmp_path)


def test_not_a_database_is_a_swedish_error(tmp_path: Path) -> None:
    path = tmp_path / "text.db"
    path.write_text("detta är ingen databas\n" * 100, encoding="utf-8")
    with pytest.raises(MedreconError, match="kan inte öppnas"):
        Store.open(path)


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master").fetchall(), key=str)
    finally:
        conn.close()


def test_reopening_is_a_no_op_and_at_head(db_path: Path) -> None:
    with Store.open(db_path) as store:
        made = store.decide("f1", PATIENT_A, "fixed")
    before = _schema(db_path)
    with Store.open(db_path) as store:
        assert store.history("f1") == [made]
    assert _schema(db_path) == before
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
    conn.close()


def test_migration_head_matches_the_metadata(db_path: Path) -> None:
    with Store.open(db_path):
        pass
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []

"""Where the decision store lives: ``--db``, then ``MEDRECON_DB``, then the config file
(``db = "..."`` in ``~/.config/medrecon/config.toml``), then the user data folder."""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from medrecon.errors import MedreconError

ENV_VAR = "MEDRECON_DB"
DB_FILE_NAME = "medrecon.db"


def config_file() -> Path:
    return Path(user_config_dir("medrecon")) / "config.toml"


def _from_config(path: Path) -> Path | None:
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MedreconError(f"Inställningsfilen {path} går inte att läsa: {exc}") from None
    value = data.get("db")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise MedreconError(f'I {path} ska db vara en sökväg inom citattecken, t.ex. db = "…".')
    db = Path(value.strip()).expanduser()
    return db if db.is_absolute() else path.parent / db


def default_db_path() -> Path:
    """The store file when no ``--db`` is given."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    configured = _from_config(config_file())
    if configured is not None:
        return configured
    return Path(user_data_dir("medrecon")) / DB_FILE_NAME


def resolve_db_path(given: Path | str | None) -> Path:
    """``--db`` when given, else the default."""
    return Path(given).expanduser() if given else default_db_path()


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """The shared ``--db PATH`` option of every command that uses the store."""
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="SÖKVÄG",
        help=(
            f"beslutsdatabasen (annars {ENV_VAR}, db i {config_file()} "
            f"eller {Path(user_data_dir('medrecon')) / DB_FILE_NAME})"
        ),
    )

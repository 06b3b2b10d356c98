"""Where the decision store lives: a SQLite file, or a PostgreSQL database by URL.

``--db``, then ``MEDRECON_DB``, then ``db = "..."`` in the config file, then the user's
data folder. Each may be a file path or a URL (``postgresql+psycopg://user@host/db``).
A password may come with the URL, or (better: command lines and config files are read
by others) from ``PGPASSFILE``/``~/.pgpass`` or ``PGPASSWORD``, which libpq reads itself.
The password is never part of what ``StoreLocation`` shows: ``display`` is what goes
into messages and logs, ``url`` only to the driver.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from medrecon.errors import MedreconError
from medrecon.settings import KEYS, config_file, load_settings

DB_FILE_NAME = "medrecon.db"
PG_DRIVER = "postgresql+psycopg"
# Schemes a person might type for a server database; only PostgreSQL is supported.
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_KNOWN_SERVER_SCHEMES = re.compile(
    r"^(postgres|postgresql|mysql|mariadb|oracle|mssql|sqlite)(\+\w+)?:", re.IGNORECASE
)
_EXAMPLE = "postgresql+psycopg://användare@värd:5432/databas"


@dataclass(frozen=True)
class StoreLocation:
    """One store: a SQLite file (``path``) or a server database (``path`` is None)."""

    url: URL  # may hold the password: only ever handed to the driver
    path: Path | None

    @property
    def backend(self) -> str:
        return "sqlite" if self.path is not None else "postgresql"

    @property
    def display(self) -> str:
        """The file, or the URL with any password hidden: for messages and logs."""
        if self.path is not None:
            return str(self.path)
        safe = self.url
        if "password" in safe.query:
            safe = safe.update_query_dict({"password": "***"})
        return safe.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")

    @property
    def fingerprint(self) -> str:
        """A stable short name for files that belong to this store (key, known head)."""
        if self.path is not None:
            ident = str(self.path.resolve())
        else:
            u = self.url
            ident = f"{u.username or ''}@{u.host or ''}:{u.port or ''}/{u.database}"
            ident += "?" + "&".join(f"{k}={u.query[k]}" for k in sorted(u.query) if k == "host")
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:16]

    def scrub(self, text: str) -> str:
        """``text`` with the password blanked (driver messages can quote a connect string)."""
        secret = self.url.password
        if secret:
            text = text.replace(str(secret), "***")
        return text


def _refuse(given: str, why: str) -> MedreconError:
    shown = "(adressen)" if "@" in given or "password" in given else f"”{given}”"
    return MedreconError(
        f"Databasadressen {shown} går inte att använda: {why} Ange en sökväg till en "
        f"SQLite-fil eller en PostgreSQL-adress som {_EXAMPLE}.",
        title="Fel databasadress",
    )


def _from_url(text: str, base: Path | None) -> StoreLocation:
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise _refuse(
            text, "den är felskriven (till exempel ett portnummer som inte är ett tal)."
        ) from None
    scheme, _, driver = url.drivername.lower().partition("+")
    if scheme == "sqlite":
        if not url.database or url.database == ":memory:":
            raise _refuse(text, "en SQLite-databas behöver ett filnamn.")
        return from_path(url.database, base)
    if scheme not in {"postgresql", "postgres"}:
        raise _refuse(text, f"databastypen ”{scheme}” stöds inte; bara SQLite och PostgreSQL.")
    if driver not in {"", "psycopg"}:
        raise _refuse(text, f"drivrutinen ”{driver}” finns inte i medrecon; skriv {PG_DRIVER}://.")
    if not url.database:
        raise _refuse(text, "databasens namn saknas (…/databas sist i adressen).")
    if url.port is not None and not 0 < url.port < 65536:
        raise _refuse(text, f"portnumret {url.port} är ogiltigt.")
    return StoreLocation(url=url.set(drivername=PG_DRIVER), path=None)


def from_path(path: Path | str, base: Path | None = None) -> StoreLocation:
    file = Path(path).expanduser()
    if base is not None and not file.is_absolute():
        file = base / file
    return StoreLocation(url=URL.create("sqlite", database=str(file)), path=file)


def parse_location(given: str | Path, base: Path | None = None) -> StoreLocation:
    """A file path or a database URL; relative paths are relative to ``base`` (or cwd)."""
    if isinstance(given, Path):
        return from_path(given, base)
    text = given.strip()
    if not text:
        raise _refuse(given, "den är tom.")
    if _URL_LIKE.match(text):
        return _from_url(text, base)
    if _KNOWN_SERVER_SCHEMES.match(text):
        raise _refuse(text, "det ser ut som en adress men :// saknas efter databastypen.")
    return from_path(text, base)


def default_location() -> StoreLocation:
    """The store when no ``--db`` is given."""
    settings = load_settings()
    if settings.db is not None:
        return parse_location(settings.db, settings.db_base)
    return from_path(Path(user_data_dir("medrecon")) / DB_FILE_NAME)


def resolve_location(given: StoreLocation | Path | str | None) -> StoreLocation:
    """``--db`` when given, else the default."""
    if isinstance(given, StoreLocation):
        return given
    if given is None or (isinstance(given, str) and not given.strip()):
        return default_location()
    return parse_location(given)


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """The shared ``--db`` option of every command that uses the store."""
    parser.add_argument(
        "--db",
        default=None,
        metavar="SÖKVÄG|URL",
        help=(
            f"beslutsdatabasen: en SQLite-fil eller {_EXAMPLE} (annars {KEYS['db']}, "
            f"db i {config_file()} eller {Path(user_data_dir('medrecon')) / DB_FILE_NAME})"
        ),
    )

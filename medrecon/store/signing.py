"""The audit key: signs every audit entry so that a re-hashed chain is detected.

The SHA-256 chain alone shows an edit, but someone who can write the database can also
recompute every hash after an edit. Each entry therefore carries an HMAC of its hash,
made with a key that lives *outside* the database: in a file beside a SQLite store, in
the user's config folder for a server store, or where ``audit_key`` in config.toml (or
``MEDRECON_AUDIT_KEY``) says. The key is created owner-only on first use; every machine
that writes to a shared store needs a copy of the same key file.

The store records the key's id (not the key) in ``store_meta`` with the first entry it
signed, so a writer with another key is refused instead of forking the chain.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_dir
from sqlalchemy import select
from sqlalchemy.engine import Connection

from medrecon.errors import MedreconError
from medrecon.files import ensure_private_dir
from medrecon.settings import load_settings
from medrecon.store.location import StoreLocation
from medrecon.store.tables import store_meta

KEY_ID = "audit_key_id"
KEYED_FROM = "audit_keyed_from"  # seq of the first entry the key signed
_KEY_TEXT = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    path: Path

    @property
    def key_id(self) -> str:
        """Names the key without revealing it (stored in the database)."""
        return hmac.new(self.secret, b"medrecon-key-id", hashlib.sha256).hexdigest()[:16]

    def mac(self, seq: int, entry_hash: str) -> str:
        message = f"medrecon-audit-v1:{seq}:{entry_hash}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def key_path(location: StoreLocation) -> Path:
    """Where this store's key file is (configured, beside the file, or per user)."""
    configured = load_settings().audit_key
    if configured is not None:
        return configured
    if location.path is not None:
        return location.path.with_name(f"{location.path.name}.audit-key")
    return Path(user_config_dir("medrecon")) / "keys" / f"{location.fingerprint}.key"


def read_key(path: Path) -> AuditKey | None:
    """The key in ``path``; None when there is no such file."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise MedreconError(f"Granskningsnyckeln {path} kan inte läsas ({exc}).") from None
    if not _KEY_TEXT.fullmatch(text):
        raise MedreconError(
            f"Granskningsnyckeln {path} är skadad: den ska vara 64 hexadecimala tecken."
        )
    return AuditKey(bytes.fromhex(text), path)


def create_key(path: Path) -> AuditKey:
    """A new random key, written owner-only; another process's new key wins a race.

    The key is written to a temporary file first and then linked into place (atomic,
    and refused when the name exists), so nobody ever reads a half-written key.
    """
    ensure_private_dir(path.parent)
    secret = os.urandom(32)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secret.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            existing = read_key(path)
            if existing is None:  # pragma: no cover - removed again in between
                raise MedreconError(f"Granskningsnyckeln {path} kunde inte skapas.") from None
            return existing
    finally:
        os.unlink(tmp_name)
    return AuditKey(secret, path)


def store_key_id(conn: Connection) -> tuple[str | None, int | None]:
    """The key id the store was signed with and the first seq signed (None, None: never)."""
    query = select(store_meta.c.name, store_meta.c.value).where(
        store_meta.c.name.in_([KEY_ID, KEYED_FROM])
    )
    rows: dict[str, str] = {str(name): str(value) for name, value in conn.execute(query)}
    keyed_from = rows.get(KEYED_FROM)
    with contextlib.suppress(ValueError, TypeError):
        return rows.get(KEY_ID), int(keyed_from) if keyed_from is not None else None
    return rows.get(KEY_ID), None


def missing_key_message(path: Path) -> str:
    return (
        f"Granskningsnyckeln för beslutsdatabasen saknas på den här datorn ({path}). "
        "Databasen är signerad med en nyckel som skapades där den först användes: kopiera "
        "den nyckelfilen hit (läsbar bara för dig), eller ange dess plats med audit_key i "
        "config.toml eller MEDRECON_AUDIT_KEY."
    )


def wrong_key_message(path: Path) -> str:
    return (
        f"Granskningsnyckeln {path} hör inte till den här beslutsdatabasen (databasen är "
        "signerad med en annan nyckel). Inget sparades. Använd samma nyckelfil som de andra "
        "som skriver till databasen."
    )

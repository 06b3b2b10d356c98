"""Stable, irreversible patient keys for reports that travel beyond the care team.

The key of a patient is HMAC-SHA256(secret, canonical patient id), first 16 hex
characters. The secret lives in an owner-only key file (by default beside the decision
store), so the same patient gets the same key night after night, while nobody without
the secret can go from a key back to a personnummer (a plain hash could be reversed by
hashing every possible personnummer).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import polars as pl

from medrecon.errors import MedreconError
from medrecon.files import ensure_private_dir, write_private_text

KEY_FILE_NAME = "pseudonym.key"
KEY_HEX_CHARS = 16  # 64 bits: no realistic collision across a region
_SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    """The secret in ``path``; created (owner-only) on first use."""
    path = Path(path)
    if not path.exists():
        ensure_private_dir(path.parent)
        write_private_text(path, secrets.token_hex(_SECRET_BYTES) + "\n")
    try:
        text = path.read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MedreconError(
            f"Nyckelfilen för pseudonymisering {path} kan inte läsas "
            "(den ska innehålla en hemlighet i hex). Återställ filen från säkerhetskopian; "
            "en ny nyckel ger alla patienter nya nycklar."
        ) from exc
    if len(secret) < 16:
        raise MedreconError(
            f"Nyckelfilen för pseudonymisering {path} är för kort (minst 32 hex-tecken)."
        )
    return secret


class Pseudonymiser:
    """Maps canonical patient ids to their report keys."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_key_file(cls, path: Path) -> Pseudonymiser:
        return cls(load_or_create_secret(path))

    def key_for(self, patient_id: str) -> str:
        digest = hmac.new(self._secret, patient_id.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:KEY_HEX_CHARS]

    def map_ids(self, ids: pl.Series) -> pl.Series:
        """Keys for a column of ids; hashing runs once per distinct id."""
        distinct = ids.drop_nulls().unique()
        lookup = pl.DataFrame(
            {
                "_id": distinct,
                "_key": [self.key_for(value) for value in distinct.to_list()],
            },
            schema={"_id": pl.String(), "_key": pl.String()},
        )
        frame = pl.DataFrame({"_id": ids.cast(pl.String())})
        return frame.join(lookup, on="_id", how="left", maintain_order="left")["_key"].rename(
            ids.name
        )

"""The newest audit entry this user has written or verified, kept outside the database.

Signatures stop a forged or re-hashed entry, but not the removal of the newest entries:
what is left is still a valid, signed chain. So after every write (and every sound
``audit verify``) the head's number and hash are recorded in the user's own state
folder; ``audit verify`` then requires the chain to still reach that entry with that
hash. The record only ever moves forward (a file lock keeps concurrent writers of one
user from moving it back).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_state_dir

from medrecon.files import PRIVATE_FILE_MODE, ensure_private_dir, write_private_text
from medrecon.store.location import StoreLocation


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    path: Path


def anchor_path(location: StoreLocation) -> Path:
    return Path(user_state_dir("medrecon")) / "audit-heads" / f"{location.fingerprint}.json"


def read_anchor(location: StoreLocation) -> Anchor | None:
    path = anchor_path(location)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Anchor(int(data["seq"]), str(data["hash"]), path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # A damaged record cannot vouch for anything; verify says so rather than crash.
        return Anchor(-1, "", path)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    ensure_private_dir(path.parent)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def advance_anchor(location: StoreLocation, seq: int, entry_hash: str) -> None:
    """Record ``seq`` as the newest known entry unless a newer one is recorded already."""
    path = anchor_path(location)
    with _locked(path):
        current = read_anchor(location)
        if current is not None and current.seq >= seq:
            return
        record = {"seq": seq, "hash": entry_hash, "store": location.display}
        write_private_text(path, json.dumps(record, ensure_ascii=False) + "\n")


def forget_anchor(location: StoreLocation) -> None:
    """For a store that is deliberately started over (``medrecon demo --reset``)."""
    anchor_path(location).unlink(missing_ok=True)

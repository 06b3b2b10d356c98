"""Files with patient data: created readable by their owner only, replaced atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; a folder we create is owner-only.

    Safe when several processes create it at once (the first writers of a new store)."""
    if not path.exists():
        path.mkdir(parents=True, mode=PRIVATE_DIR_MODE, exist_ok=True)
    return path


def make_private(path: Path) -> None:
    """Restrict an existing file to its owner (read and write)."""
    os.chmod(path, PRIVATE_FILE_MODE)


@contextlib.contextmanager
def atomic_private_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    The temporary file is created owner-only before anything is written into it, and is
    renamed over the target only after the writer finished, so a crash or a kill never
    leaves a half-written file and the previous version stays intact until then.
    """
    target = Path(target)
    ensure_private_dir(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)  # mkstemp already created it with mode 0o600
    tmp = Path(tmp_name)
    try:
        yield tmp
        make_private(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_private_text(target: Path, text: str) -> None:
    """Write text to ``target`` atomically, readable by its owner only."""
    with atomic_private_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")

"""Files with patient data: created readable by their owner only, replaced atomically."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

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


class _Spool:
    """A file being written for ``target``: unnamed while written where the system allows.

    An unnamed file (``O_TMPFILE``) has no directory entry: a killed process leaves
    nothing behind, because the kernel frees it with the last descriptor. Where unnamed
    files are not supported it is a hidden owner-only file beside the target.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.named: Path | None = None
        directory = target.parent
        try:
            fd = os.open(directory, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, PRIVATE_FILE_MODE)
        except (AttributeError, OSError):
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
            self.named = Path(name)
        self.file: BinaryIO = os.fdopen(fd, "w+b")

    def publish_name(self) -> Path:
        """A directory entry for the written file (beside the target), made just before
        it replaces the target."""
        self.file.flush()
        os.fsync(self.file.fileno())
        if self.named is not None:
            return self.named
        name = self.target.parent / f".{self.target.name}.{secrets.token_hex(4)}.tmp"
        try:
            root = os.open("/", os.O_RDONLY)
            try:
                os.link(
                    f"/proc/self/fd/{self.file.fileno()}",
                    name,
                    src_dir_fd=root,
                    follow_symlinks=True,
                )
            finally:
                os.close(root)
        except OSError:  # no /proc: copy the content into a named file instead
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "wb") as out:
                self.file.seek(0)
                shutil.copyfileobj(self.file, out)
                out.flush()
                os.fsync(out.fileno())
        self.named = name
        return name

    def close(self) -> None:
        self.file.close()
        if self.named is not None and self.named.exists():
            self.named.unlink()


@contextlib.contextmanager
def atomic_private_files(targets: Sequence[Path]) -> Iterator[list[BinaryIO]]:
    """Writable files, one per target; when the block succeeds, each replaces its target.

    Several files (the report and its pseudonymised copy) are all written completely
    before any of them replaces its target, so the targets come from the same run: a
    crash or a kill during the writing leaves every previous version as it was, and no
    file with patient data behind (see ``_Spool``).
    """
    spools: list[_Spool] = []
    try:
        for target in map(Path, targets):
            ensure_private_dir(target.parent)
            spools.append(_Spool(target))
        yield [spool.file for spool in spools]
        names = [spool.publish_name() for spool in spools]
        for name, spool in zip(names, spools, strict=True):
            make_private(name)
            os.replace(name, spool.target)
            spool.named = None
    finally:
        for spool in spools:
            spool.close()

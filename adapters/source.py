"""Opening an export file: refuse what is not a regular file, copy its bytes once, hash them.

A FIFO, a device or a socket is refused before it is opened (opening a FIFO blocks until
a writer appears; reading ``/dev/zero`` never ends). A regular file is copied once into
memory the process owns: an anonymous ``memfd`` on Linux (polars and numpy read it
without another copy, nobody else can change it, and it disappears with the process,
even after ``kill -9``), elsewhere a ``bytes`` object. The file's size and times are
compared before and after the copy: an export that is still being written is refused
instead of half read. Everything after this reads the copy, so the SHA-256 recorded for
the run is the hash of exactly the bytes that were reconciled. The hash is computed in
a thread while the copy is parsed (hashlib releases the GIL).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
import os
import stat
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from medrecon.errors import UnusableInputError

# An export larger than this cannot be reconciled within the memory of the machine the
# nightly job runs on (a region of 400,000 patients writes well under 1 GiB per system).
MAX_EXPORT_BYTES = 4 << 30
_COPY_BLOCK = 1 << 30
_HASH_BLOCK = 8 << 20

_KIND = (
    (stat.S_ISFIFO, "en namngiven rörledning (FIFO), inte en vanlig fil"),
    (stat.S_ISCHR, "en teckenenhet (som /dev/zero), inte en vanlig fil"),
    (stat.S_ISBLK, "en blockenhet (en disk), inte en vanlig fil"),
    (stat.S_ISSOCK, "en socket, inte en vanlig fil"),
    (stat.S_ISDIR, "en mapp, inte en fil"),
)


def unusable(path: Path, problem: str) -> UnusableInputError:
    return UnusableInputError(f"Filen {path.name} kan inte användas: {problem}", title="Fel fil")


def not_a_regular_file(mode: int) -> str | None:
    """What a file of this mode is, in Swedish, when it is not a regular file."""
    for test, what in _KIND:
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "ingen vanlig fil"


def check_regular(path: Path) -> os.stat_result:
    """``stat`` of a regular file; a Swedish refusal for anything else (never opened)."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise UnusableInputError(f"Filen {path} finns inte.", title="Fil saknas") from exc
    except OSError as exc:
        raise unusable(path, f"den gick inte att läsa ({exc.strerror}).") from exc
    what = not_a_regular_file(info.st_mode)
    if what is not None:
        raise unusable(path, f"det är {what}.")
    if info.st_size > MAX_EXPORT_BYTES:
        raise unusable(
            path,
            f"den är {info.st_size / 2**30:.1f} GiB, större än de {MAX_EXPORT_BYTES >> 30} GiB "
            "en export kan vara. Kontrollera att det är rätt fil.",
        )
    return info


def _fingerprint(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class ExportCopy:
    """The bytes of one export file as read, with their size and SHA-256.

    ``view`` is a read-only buffer over the bytes (numpy and slicing read it);
    ``polars_source`` is what ``pl.read_csv`` should read. Call ``close`` when done.
    """

    def __init__(self, path: Path, *, memfd: int | None, data: bytes | None) -> None:
        self.path = path
        self._memfd = memfd
        self._data = data
        self._map: mmap.mmap | None = None
        if memfd is not None:
            self.size = os.fstat(memfd).st_size
            if self.size:
                self._map = mmap.mmap(memfd, 0, access=mmap.ACCESS_READ)
        else:
            assert data is not None
            self.size = len(data)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medrecon-hash")
        self._digest: Future[str] = self._pool.submit(self._hash)

    @classmethod
    def read(cls, path: Path) -> ExportCopy:
        path = Path(path)
        check_regular(path)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise unusable(path, f"den gick inte att läsa ({exc.strerror}).") from exc
        try:
            before = os.fstat(fd)
            what = not_a_regular_file(before.st_mode)
            if what is not None:  # replaced between the check and the open
                raise unusable(path, f"det är {what}.")
            memfd, data, copied = _copy(fd)
            after = os.fstat(fd)
        except OSError as exc:
            raise unusable(path, f"den gick inte att läsa ({exc.strerror}).") from exc
        finally:
            os.close(fd)
        if _fingerprint(before) != _fingerprint(after) or copied != before.st_size:
            if memfd is not None:
                os.close(memfd)
            raise UnusableInputError(
                f"Filen {path.name} ändrades medan den lästes (storlek eller ändringstid "
                "skiljer före och efter läsningen): exporten skrivs troligen fortfarande. "
                "Kör igen när exporten är klar; låt exportjobbet skriva till ett tillfälligt "
                "namn (.part) och byta namn när filen är komplett.",
                title="Filen ändrades",
            )
        return cls(path, memfd=memfd, data=data)

    @classmethod
    def from_bytes(cls, path: Path, data: bytes) -> ExportCopy:
        """A copy of bytes already in memory (converted text; tests)."""
        return cls(path, memfd=None, data=data)

    # --- reading ---------------------------------------------------------------------
    @property
    def view(self) -> bytes | mmap.mmap:
        if self._map is not None:
            return self._map
        return self._data if self._data is not None else b""

    def head(self, size: int) -> bytes:
        return bytes(self.view[:size])

    def polars_source(self) -> str | io.BytesIO:
        if self._memfd is not None and sys.platform.startswith("linux"):
            return f"/proc/self/fd/{self._memfd}"
        return io.BytesIO(bytes(self.view))

    def blank_out(self, spans: list[tuple[int, int]]) -> None:
        """Overwrite byte ranges with spaces (lines polars must not parse); hash first."""
        self.sha256()
        if self._memfd is not None:
            for start, end in spans:
                os.pwrite(self._memfd, b" " * (end - start), start)
            return
        buffer = bytearray(self.view)
        for start, end in spans:
            buffer[start:end] = b" " * (end - start)
        self._data = bytes(buffer)

    def replace_content(self, data: bytes) -> None:
        """Read ``data`` from now on (the file's text converted to UTF-8).

        The size and hash stay those of the file's own bytes: they are what was read.
        """
        self.sha256()
        self._release_file_copy()
        self._data = data

    def sha256(self) -> str:
        return self._digest.result()

    def _hash(self) -> str:
        digest = hashlib.sha256()
        view = memoryview(self.view)
        for start in range(0, self.size, _HASH_BLOCK):
            digest.update(view[start : start + _HASH_BLOCK])
        view.release()
        return digest.hexdigest()

    def close(self) -> None:
        self._digest.exception()  # wait: the thread reads the mapping
        self._pool.shutdown()
        self._release_file_copy()
        self._data = None

    def _release_file_copy(self) -> None:
        if self._map is not None:
            # A numpy view may still refer to the mapping; then it goes with the last view.
            with contextlib.suppress(BufferError):
                self._map.close()
            self._map = None
        if self._memfd is not None:
            os.close(self._memfd)
            self._memfd = None

    def __enter__(self) -> ExportCopy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _copy(fd: int) -> tuple[int | None, bytes | None, int]:
    """Copy everything readable from ``fd``: into a memfd when possible, else into bytes."""
    memfd = _memfd()
    if memfd is not None:
        copied = 0
        try:
            while True:
                sent = os.sendfile(memfd, fd, None, _COPY_BLOCK)
                if sent == 0:
                    return memfd, None, copied
                copied += sent
                if copied > MAX_EXPORT_BYTES:
                    return memfd, None, copied
        except OSError:
            os.close(memfd)  # sendfile refused (an odd file system): read it instead
            os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    copied = 0
    while block := os.read(fd, _COPY_BLOCK):
        chunks.append(block)
        copied += len(block)
        if copied > MAX_EXPORT_BYTES:
            break
    return None, b"".join(chunks), copied


def _memfd() -> int | None:
    create = getattr(os, "memfd_create", None)
    if create is None or not sys.platform.startswith("linux"):
        return None
    try:
        return int(create("medrecon-export", getattr(os, "MFD_CLOEXEC", 0)))
    except OSError:
        return None

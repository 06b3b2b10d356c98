"""Application logging that never carries a patient's identity.

Code logs counts, file names and line ids, never names or personnummer. As a second
line of defence every record passes a filter that masks anything shaped like a
personnummer, samordningsnummer or reserve number before it reaches a handler.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

from medrecon.errors import MedreconError
from medrecon.files import PRIVATE_FILE_MODE, ensure_private_dir

# 12 or 10 digits with an optional separator (-, + or a space), or a Värmland reserve
# number. Hex characters around a match mean it is part of a finding id or hash.
_ID_PATTERN = re.compile(
    r"(?<![0-9A-Fa-f])(?:\d{8}|\d{6})[-+ ]?\d{4}(?![0-9A-Fa-f])"
    r"|(?<!\w)\d{8}S[FUXPL]\d[0-9A-Z](?!\w)"
)
MASK = "[personnummer]"


def mask_ids(text: str) -> str:
    """Replace every id-shaped substring by a mask."""
    return _ID_PATTERN.sub(MASK, text)


class RedactIdsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = mask_ids(message)
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Masks the whole formatted record: exception and stack text can carry input data."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_ids(super().format(record))


def configure_logging(log_file: Path | None = None, *, level: int = logging.INFO) -> None:
    """Log to stderr and, when given, to an owner-only log file."""
    root = logging.getLogger("medrecon")
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    fmt = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        handlers.append(_private_log_handler(Path(log_file)))
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(RedactIdsFilter())
        root.addHandler(handler)


def _private_log_handler(log_file: Path) -> logging.Handler:
    """A handler appending to ``log_file``, which must be a regular file, never a link.

    A symbolic link could lead the log (file names, counts, and whatever a masking
    miss lets through) into a file that others can read; it is refused, and the file is
    opened without following links so that one cannot be swapped in meanwhile.
    """
    if log_file.is_symlink():
        raise MedreconError(
            f"Loggfilen {log_file} är en symbolisk länk. Ange sökvägen till en vanlig fil; "
            "loggen skrivs inte genom länkar.",
            title="Fel loggfil",
        )
    ensure_private_dir(log_file.parent)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(log_file, flags | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE_MODE)
    except OSError as exc:
        raise MedreconError(
            f"Loggfilen {log_file} kan inte öppnas ({exc.strerror}).", title="Fel loggfil"
        ) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise MedreconError(f"Loggfilen {log_file} är ingen vanlig fil.", title="Fel loggfil")
    os.fchmod(fd, PRIVATE_FILE_MODE)  # an existing file keeps its mode otherwise
    handler = logging.FileHandler(log_file, encoding="utf-8", delay=True)
    handler.stream = os.fdopen(fd, "a", encoding="utf-8")
    return handler

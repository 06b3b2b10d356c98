"""Application logging that never carries a patient's identity.

Code logs counts, file names and line ids, never names or personnummer. As a second
line of defence every record passes a filter that masks anything shaped like a
personnummer, samordningsnummer or reserve number before it reaches a handler.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from medrecon.files import ensure_private_dir, make_private

# 12 or 10 digits with an optional separator, or a Värmland reserve number.
# Hex characters around a match mean it is part of a finding id or hash, not an id.
_ID_PATTERN = re.compile(
    r"(?<![0-9A-Fa-f])(?:\d{8}|\d{6})[-+]?\d{4}(?![0-9A-Fa-f])"
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
        ensure_private_dir(log_file.parent)
        log_file.touch(mode=0o600, exist_ok=True)
        make_private(log_file)  # an existing file keeps its mode otherwise
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(RedactIdsFilter())
        root.addHandler(handler)

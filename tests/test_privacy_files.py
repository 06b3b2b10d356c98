"""Log files and report folders: no personnummer, owner-only."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from medrecon.files import atomic_private_path
from medrecon.logsetup import configure_logging

PNR = "19400512-9822"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_exception_text_in_the_log_file_is_masked(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "medrecon.log"
    configure_logging(log_file)
    log = logging.getLogger("medrecon.test")
    try:
        raise ValueError(f"bad text for {PNR}")
    except ValueError:
        log.exception("reading failed for %s", "194005129822")
    for handler in logging.getLogger("medrecon").handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "ValueError" in text  # the error is still there for the IT person
    assert PNR not in text and "194005129822" not in text
    configure_logging(None)


def test_an_existing_log_file_is_made_owner_only(tmp_path: Path) -> None:
    log_file = tmp_path / "medrecon.log"
    log_file.write_text("", encoding="utf-8")
    log_file.chmod(0o644)
    configure_logging(log_file)
    assert _mode(log_file) == 0o600
    configure_logging(None)


def test_a_report_folder_created_for_a_file_is_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "rapporter" / "natt.xlsx"
    with atomic_private_path(target) as tmp:
        tmp.write_bytes(b"x")
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700

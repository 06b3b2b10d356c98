"""No personnummer or patient name reaches a log file through the store."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import NAME_A, NAME_B, PATIENT_A, PATIENT_B, finding, recon

from medrecon.cli import main
from medrecon.logsetup import configure_logging
from medrecon.store import Store


class _RawMessages(logging.Handler):
    """Sees each record before the masking filter of the configured handlers runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def raw_messages() -> Iterator[_RawMessages]:
    handler = _RawMessages()
    logger = logging.getLogger("medrecon.store")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        root = logging.getLogger("medrecon")
        for h in list(root.handlers):
            root.removeHandler(h)
            h.close()


def _variants(pid: str) -> list[str]:
    return [pid, pid[2:], f"{pid[:8]}-{pid[8:]}", f"{pid[2:8]}-{pid[8:]}"]


B1 = "00000000000000b1"


def test_no_patient_identity_in_the_log_file(
    tmp_path: Path, db_path: Path, raw_messages: _RawMessages
) -> None:
    log_file = tmp_path / "logs" / "medrecon.log"
    configure_logging(log_file, level=logging.DEBUG)
    names = {PATIENT_A: NAME_A, PATIENT_B: NAME_B}
    rows = [finding("a1"), finding("a2", substance="warfarin"), finding(B1, PATIENT_B)]
    with Store.open(db_path) as store:
        store.record_run(recon(rows, names), [], user="natt")
        store.log_access(PATIENT_A, user="anna")
        made = store.decide("a1", PATIENT_A, "intentional", comment=f"Pratat med {NAME_A}")
        store.withdraw("a1", PATIENT_A, expected_decision_id=made.id)
        store.decide("a1", PATIENT_A, "fixed")
        store.decide("a2", PATIENT_A, "escalated")
        store.sign_off(PATIENT_A, ["a1", "a2"], lists_hash="h", user="anna")
        store.record_run(recon(rows[1:], names), [], user="natt")
        store.verify_audit()
    assert (
        main(["decide", B1, "--patient", PATIENT_B, "--action", "fixed", "--db", str(db_path)]) == 0
    )
    assert main(["audit", "show", "--patient", PATIENT_B, "--db", str(db_path)]) == 0
    for handler in logging.getLogger("medrecon").handlers:
        handler.flush()

    text = log_file.read_text(encoding="utf-8")
    assert "Beslut" in text and "Körning" in text  # the store did log, and it reached the file
    assert "a1" in text  # finding ids are fine to log
    forbidden = [*_variants(PATIENT_A), *_variants(PATIENT_B), NAME_A, NAME_B, "Lindqvist"]
    for secret in forbidden:
        assert secret not in text
        # ... and not merely masked by the safety filter: the store never logged them
        assert not any(secret in message for message in raw_messages.messages)
    # the audit head hash is logged as an anchor outside the database, unmasked
    with Store.open(db_path) as store:
        head = store.verify_audit().head_hash
    assert head is not None
    anchors = [line for line in text.splitlines() if "Granskningslogg efter körning 2" in line]
    assert len(anchors) == 1 and "[personnummer]" not in anchors[0]

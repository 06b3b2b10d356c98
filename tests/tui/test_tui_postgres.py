"""The terminal UI on a PostgreSQL store given only a URL (tests/pg_server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_fixtures import FROZEN_NOW, KARIN, USER, reconciliation, wait_loaded

from medrecon.store import Store
from medrecon.tui.app import MedreconApp

pytestmark = pytest.mark.asyncio


async def test_decide_and_sign_off_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    data = reconciliation()
    with Store.open(pg_url) as store:
        app = MedreconApp(
            lambda _progress: data,
            store,
            user=USER,
            handover_dir=tmp_path / "handover",
            cursor_blink=False,
            now=lambda: FROZEN_NOW,
        )
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("enter", "3", "1", "6", "s")
            await pilot.pause()
            await pilot.press("j")
            await pilot.pause()
    with Store.open(pg_url) as other:  # what a colleague on another machine sees
        record = other.sign_offs(KARIN)
        assert record is not None and record.signed_by == USER
        assert other.patient_status(KARIN, list(record.finding_ids)) == "signed_off"
        assert [e.action for e in other.audit_entries(KARIN)].count("decision") == 3
        assert other.verify_audit().ok

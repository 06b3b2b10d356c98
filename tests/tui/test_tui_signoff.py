"""Sign-off that means something: it lapses on a later decision, the TUI says so, the
handover shows no signature above a later decision, and an incompletely loaded patient
needs an explicit, logged acknowledgement."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import DataTable
from tui_fixtures import KARIN, SVEN, wait_loaded

from medrecon.store import Store
from medrecon.tui.app import MedreconApp
from medrecon.tui.screens.confirm import AcknowledgeDialog

pytestmark = pytest.mark.asyncio

SIZE = (120, 36)
METOPROLOL = "a1b2c3d4e5f60001"
AppFactory = Callable[..., MedreconApp]


def titles(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.title for n in app._notifications]


def info(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#patient-info").render())


async def _sign_karin(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_loaded(pilot)
    await pilot.press("enter", "3", "1", "6", "s")
    await pilot.pause()
    await pilot.press("j")
    await pilot.pause()


async def test_changed_decision_after_sign_off_makes_it_lapse_and_the_tui_says_so(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _sign_karin(pilot)
        assert store.patient_status(KARIN, list(store.sign_offs(KARIN).finding_ids)) == (
            "signed_off"
        )
        await pilot.press("2")  # another decision on the current row, after signing
        await pilot.pause()
        assert "Signera om" in titles(app)
        assert "Signera patienten igen" in info(app)
        await pilot.press("h")  # the handover written now carries no signature
        await pilot.pause()
        (handover,) = (tmp_path / "handover").glob("*.txt")
        text = " ".join(handover.read_text(encoding="utf-8").split())
        assert "Signerad av: – (inte signerad: måste signeras igen)" in text
        assert "gäller inte längre" in text
        await pilot.press("escape")
        await pilot.pause()
        row = app.worklist.query_one("#patients", DataTable).get_row(KARIN)
        assert str(row[-1]) == "Signera om"


async def test_scripted_decision_after_sign_off_makes_it_lapse_in_the_tui(
    make_app: AppFactory, store: Store
) -> None:
    """A script's decision (``medrecon decide``) lapses the sign-off just as the TUI's."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _sign_karin(pilot)
        await pilot.press("escape")
        await pilot.pause()
        current = store.history(METOPROLOL)[-1].id
        assert store.path is not None
        with Store.open(store.path) as script:  # what `medrecon decide --user` does
            script.decide(METOPROLOL, KARIN, "escalated", user="Läkare Lund",
                          expected_decision_id=current, imported=True)  # fmt: skip
        await pilot.press("enter")  # opening the patient reads the store again
        await pilot.pause()
        assert "Signera patienten igen" in info(app)
        history = app.screen.session.history(app.screen.data.finding(METOPROLOL))
        assert any("Läkare Lund (importerat av" in line for line in history)


async def _open(pilot, app, patient: str) -> None:  # type: ignore[no-untyped-def]
    await wait_loaded(pilot)
    table = app.worklist.query_one("#patients", DataTable)
    order = [row.key.value for row in table.ordered_rows]
    await pilot.press(*["down"] * order.index(patient), "enter")
    await pilot.pause()


async def test_incomplete_patient_needs_a_logged_acknowledgement(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, SVEN)
        assert "kunde inte läsas" in info(app)
        await pilot.press("3", "s")  # his one finding decided, then sign
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, AcknowledgeDialog)
        await pilot.press("j")  # a second "j" does not acknowledge anything
        await pilot.pause()
        assert store.sign_offs(SVEN) is None and isinstance(app.screen, AcknowledgeDialog)
        await pilot.press("n")
        await pilot.pause()
        assert store.sign_offs(SVEN) is None
        await pilot.press("s", "j")
        await pilot.pause()
        await pilot.press("k")
        await pilot.pause()
        record = store.sign_offs(SVEN)
        assert record is not None
        assert record.acknowledgement is not None
        assert "trots ofullständig inläsning" in record.acknowledgement
        entry = store.audit_entries(SVEN)[-1]
        assert entry.action == "sign_off"
        assert entry.details["acknowledgement"] == record.acknowledgement

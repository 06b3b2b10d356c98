"""SVG snapshots of the main screens at 80x24 and 120x36 (pytest-textual-snapshot).

Deterministic: fixed data and user, frozen clock (the app's and the store's), no cursor
blink, the load-time toast cleared. Regenerate with ``--snapshot-update`` after a
deliberate change and look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from textual.pilot import Pilot
from tui_fixtures import wait_loaded

from medrecon.tui.app import MedreconApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


@pytest.fixture(autouse=True)
def _frozen_store_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("medrecon.store.store.now_iso", lambda: "2026-01-15T09:00:00.000000+00:00")


def _before(keys: Sequence[str]) -> Callable[[Pilot], object]:
    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        pilot.app.clear_notifications()
        await pilot.press(*keys)
        await pilot.pause()
        pilot.app.clear_notifications()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_worklist(snap_compare, make_app: Callable[..., MedreconApp], size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=size, run_before=_before([]))


@pytest.mark.parametrize("size", SIZES)
def test_patient_view(snap_compare, make_app: Callable[..., MedreconApp], size) -> None:  # type: ignore[no-untyped-def]
    # Nils: one decided finding (tramadol), then a pair with two findings (form, dispensing).
    assert snap_compare(make_app(), terminal_size=size, run_before=_before(["down", "enter", "5"]))


@pytest.mark.parametrize("size", SIZES)
def test_decision_dialog(snap_compare, make_app: Callable[..., MedreconApp], size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=size, run_before=_before(["enter", "d", "3"]))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, make_app: Callable[..., MedreconApp], size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(), terminal_size=size, run_before=_before(["enter", "question_mark"])
    )

"""Regression tests for the problems a QA tester reported (one test or more per report)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets._footer import FooterKey
from tui_fixtures import (
    KARIN,
    MAJA,
    PASCAL_ONLY,
    RESERVE,
    wait_loaded,
    with_extra_patients,
)

from medrecon.store import Store
from medrecon.tui.app import MedreconApp
from medrecon.tui.screens.decision import DecisionDialog
from medrecon.tui.screens.patient import PatientScreen
from medrecon.tui.screens.problems import ProblemsScreen
from medrecon.tui.widgets.detail import DetailPane
from medrecon.tui.widgets.side_by_side import SideBySide

pytestmark = pytest.mark.asyncio

METOPROLOL = "a1b2c3d4e5f60001"
SIZE = (120, 36)
AppFactory = Callable[..., MedreconApp]


def _state(store: Store, finding_id: str) -> dict:
    findings = pl.DataFrame({"id": [finding_id], "lineage": ["l" + finding_id[1:]]})
    return store.finding_states(findings).row(0, named=True)


def _order(app: MedreconApp) -> list[str]:
    table = app.worklist.query_one("#patients", DataTable)
    return [str(row.key.value) for row in table.ordered_rows]


# --- 1. decision dialog: digits pick only in the option list; Tab goes to the comment ---
async def test_tab_to_comment_then_typing_digits_keeps_choice_and_stores_comment(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "d", "3", "tab")
        await pilot.pause()
        assert isinstance(app.screen, DecisionDialog)
        assert app.focused is app.screen.query_one("#decision-comment", Input)
        await pilot.press(*"ringt 2 ggr", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PatientScreen)
        decided = _state(store, METOPROLOL)
        assert (decided["action"], decided["comment"]) == ("intentional", "ringt 2 ggr")


async def test_digits_pick_only_while_the_option_list_has_focus(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "d", "2")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DecisionDialog)
        options = dialog.query_one("#decision-actions", OptionList)
        assert app.focused is options  # a digit highlights, it does not move focus
        assert options.highlighted == 1
        await pilot.press("tab", "tab")  # past the comment to the Spara button
        await pilot.pause()
        await pilot.press("5")
        await pilot.pause()
        assert options.highlighted == 1  # a digit on the button changes nothing
        assert dialog.query_one("#decision-comment", Input).value == ""


async def test_enter_in_option_list_moves_to_comment_then_saves(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "d", "5", "enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#decision-comment", Input)
        await pilot.press(*"Ringt dr Lund 14.30", "enter")
        await pilot.pause()
        decided = _state(store, METOPROLOL)
        assert (decided["action"], decided["comment"]) == ("escalated", "Ringt dr Lund 14.30")


# --- 2. search: case-insensitive ids, with or without dash, 10-digit forms ---------------
async def test_typing_reserve_number_as_displayed_finds_it(make_app: AppFactory) -> None:
    app = make_app(recon=with_extra_patients())
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", *"19330103SX3K")
        await pilot.pause(0.3)
        assert _order(app) == [RESERVE]


# --- 3. Pascal-only names are shown "Efternamn, Förnamn" -------------------------------
async def test_pascal_only_name_is_surname_first_everywhere(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(recon=with_extra_patients())
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        table = app.worklist.query_one("#patients", DataTable)
        assert str(table.get_row(PASCAL_ONLY)[0]) == "Nyström, Gun Maria"
        assert str(table.get_row(KARIN)[0]) == "Andersson, Karin"  # Cosmic's stays as it is
        # sorted by name among the patients without open findings
        order = _order(app)
        assert order.index(RESERVE) < order.index(MAJA) < order.index(PASCAL_ONLY)
        app.worklist.open_patient(PASCAL_ONLY)
        await pilot.pause()
        assert "Nyström, Gun Maria" in str(app.screen.query_one("#patient-info").render())
        await pilot.press("h")
        await pilot.pause()
        text = next((tmp_path / "handover").glob("*.txt")).read_text(encoding="utf-8")
        assert "Patient:       Nyström, Gun Maria" in text


# --- 4. the footer fits at 80 columns and always shows "? Hjälp" -----------------------
@pytest.mark.parametrize("keys", [[], ["enter"], ["p"]], ids=["worklist", "patient", "problems"])
async def test_footer_fits_80_columns_with_help_visible(
    make_app: AppFactory, keys: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        footer_keys = list(app.screen.query(FooterKey))
        assert footer_keys
        assert max(k.region.right for k in footer_keys) <= 80
        help_keys = [k for k in footer_keys if k.key == "question_mark"]
        assert len(help_keys) == 1 and help_keys[0].region.width > 0


# --- 5. "Godkänn lika" counts the pairs shown --------------------------------------------
async def test_approve_toast_counts_pairs_not_lines(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PatientScreen)
        shown = [r for r in screen.data.rows if r.section == "agree" and not r.header]
        await pilot.press("a")
        await pilot.pause()
        message = [n.message for n in app._notifications][-1]
        lines = 2 * len(shown)
        assert message.startswith(f"{len(shown)} par ({lines} rader)"), message


# --- 6. the rejected-rows screen names the patient -------------------------------------
async def test_rejected_rows_show_formatted_personnummer_and_incomplete_note(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        table = screen.query_one("#problems", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == ["Fil", "Rad", "Patient", "Orsak"]
        rows = [tuple(map(str, table.get_row_at(i))) for i in range(table.row_count)]
        assert ("pascal.csv", "7", "19350707-8888",
                "dosering saknas (varken Användning eller tidskolumner)") in rows  # fmt: skip
        assert ("cosmic.csv", "9", "okänd",
                "ogiltigt personnummer 19400512-1235 (kontrollsiffra)") in rows  # fmt: skip
        assert "ofullständigt inlästa" in screen.message


# --- 7. the reported exit: filter → patient → decisions → a → s j → h → Esc -------------
async def test_reported_sequence_keeps_the_app_running(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", *"karin", "enter")
        await pilot.pause(0.3)
        assert _order(app) == [KARIN]
        await pilot.press("enter", "3", "1", "6", "a", "s")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.screen is app.worklist
        assert store.sign_offs(KARIN) is not None
        assert len(list((tmp_path / "handover").glob("*.txt"))) == 1
        assert str(app.worklist.query_one("#patients", DataTable).get_row(KARIN)[-1]) == ("Avstämd")


async def test_unexpected_error_in_an_action_shows_problems_screen(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> str:
        raise KeyError("194005121234")

    monkeypatch.setattr("medrecon.tui.screens.patient.handover_text", broken)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "h")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        assert "KeyError" in screen.message and "sparade" in screen.message
        assert "194005121234" not in screen.message  # no patient data from the exception
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.worklist
        await pilot.press("enter")  # the worklist still works
        await pilot.pause()
        assert isinstance(app.screen, PatientScreen)


async def test_unexpected_error_in_a_dialog_callback_shows_problems_screen(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "d", "1", "tab")
        await pilot.pause()
        monkeypatch.setattr(app.session, "decide", broken)
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, ProblemsScreen)
        assert "RuntimeError" in app.screen.message


# --- detail pane of an agreeing row ------------------------------------------------------
async def test_detail_pane_of_agreeing_row_shows_both_lines_and_mechanism(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("down", "enter")  # Nils: warfarin agrees (paired on ATC)
        await pilot.pause()
        table = app.screen.query_one(SideBySide)
        index = next(i for i, r in enumerate(table.order) if r.section == "agree" and not r.header)
        table.move_cursor(row=index, animate=False)
        await pilot.pause()
        content = app.screen.query_one(DetailPane).query_one("#detail-body", Static).content
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(content)
        body = console.export_text()
        assert "Parade på:" in body
        assert "Cosmic C-202" in body and "Pascal P-302" in body


async def test_detail_pane_shows_the_hint_and_when_each_side_changed(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter")  # Karin: the metoprolol dose finding is the first row
        await pilot.pause()
        content = app.screen.query_one(DetailPane).query_one("#detail-body", Static).content
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(content)
        body = console.export_text()
        assert (
            "Ledtråd: Pascal ändrades 2025-11-18, Cosmic senast 2025-03-02: troligen har "
            "Cosmic inte uppdaterats." in body
        )
        assert "Senast ändrad: Cosmic 2025-03-02 14:10, Pascal 2025-11-18 08:30" in body


# --- found while re-running the report in tmux: Enter right after typing a search ---------
async def test_enter_right_after_typing_opens_the_patient_searched_for(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        # no pause: the search has not been applied by its typing delay yet
        await pilot.press("slash", *"lind", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PatientScreen)
        assert app.screen.patient_id == MAJA
        assert [e.action for e in store.audit_entries(KARIN)] == []  # Karin was not opened

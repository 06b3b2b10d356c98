"""Pilot tests: real key presses, assertions on what the store holds afterwards."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from textual.widgets import DataTable, Input
from tui_fixtures import KARIN, MAJA, NILS, SVEN, USER, reconciliation, wait_loaded

from medrecon.errors import UnusableInputError
from medrecon.model import Reconciliation
from medrecon.store import Store
from medrecon.tui.app import MedreconApp
from medrecon.tui.screens.decision import DecisionDialog
from medrecon.tui.screens.help import HelpScreen
from medrecon.tui.screens.patient import PatientScreen
from medrecon.tui.screens.problems import ProblemsScreen
from medrecon.tui.widgets.side_by_side import SideBySide

pytestmark = pytest.mark.asyncio

METOPROLOL = "a1b2c3d4e5f60001"  # Karin's dose finding, the first open row of her view
SIMVASTATIN = "a1b2c3d4e5f60002"
OXAZEPAM = "a1b2c3d4e5f60003"
SIZE = (120, 36)
AppFactory = Callable[..., MedreconApp]


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


def titles(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.title for n in app._notifications]


def state(store: Store, finding_id: str) -> dict:
    findings = pl.DataFrame({"id": [finding_id], "lineage": ["l" + finding_id[1:]]})
    return store.finding_states(findings).row(0, named=True)


def worklist_order(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.worklist.query_one("#patients", DataTable)
    return [row.key.value for row in table.ordered_rows]


async def test_worklist_lists_every_patient_most_severe_first(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert worklist_order(app) == [KARIN, NILS, SVEN, MAJA]
        table = app.worklist.query_one("#patients", DataTable)
        karin = [str(c) for c in table.get_row(KARIN)]
        assert karin[:6] == [
            "Andersson, Karin",
            "19400512-1234",
            "Hemsjukvård Karlstad Norr",
            "2",
            "1",
            "·",
        ]
        assert karin[-1] == "Ej granskad"
        assert str(table.get_row(SVEN)[0]).startswith("⚠")  # incompletely loaded
        assert any("2 rader kunde inte läsas" in n for n in notes(app))


async def test_search_by_personnummer_and_name(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", *"19381122-3340")
        await pilot.pause(0.3)
        assert worklist_order(app) == [NILS]
        app.worklist.query_one("#search", Input).value = "LIND"
        await pilot.pause(0.3)
        assert worklist_order(app) == [MAJA]
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert len(worklist_order(app)) == 4


async def test_filters_by_unit_and_severity(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        bar = app.worklist.query_one("#filters")
        bar.query_one("#unit").value = "Hemsjukvård Karlstad Norr"
        await pilot.pause(0.3)
        assert worklist_order(app) == [KARIN, NILS]
        bar.query_one("#severity").value = "low"
        await pilot.pause(0.3)
        assert worklist_order(app) == [NILS]


async def test_opening_a_patient_logs_the_access(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert [e for e in store.audit_entries(KARIN) if e.action == "access"] == []
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PatientScreen)
        access = [e for e in store.audit_entries(KARIN) if e.action == "access"]
        assert [(e.user, e.details["what"]) for e in access] == [
            (USER, "öppnade patientens listor")
        ]


async def test_decision_key_writes_to_store_and_updates_worklist(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "3")
        await pilot.pause()
        decided = state(store, METOPROLOL)
        assert (decided["status"], decided["action"], decided["decided_by"]) == (
            "decided",
            "intentional",
            USER,
        )
        # the cursor moved on to the next open finding
        assert app.screen.query_one(SideBySide).current.finding_id == SIMVASTATIN
        await pilot.press("escape")
        await pilot.pause()
        row = [str(c) for c in app.worklist.query_one("#patients", DataTable).get_row(KARIN)]
        assert row[3:6] == ["1", "1", "·"]
        assert row[-1] == "Pågående"


async def test_decision_dialog_saves_action_and_comment(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "enter")  # open Karin, then the dialog on her first finding
        await pilot.pause()
        assert isinstance(app.screen, DecisionDialog)
        await pilot.press("5", "tab", *"Ringt dr Lund", "enter")
        await pilot.pause()
        decided = state(store, METOPROLOL)
        assert (decided["action"], decided["comment"]) == ("escalated", "Ringt dr Lund")


async def test_escape_in_decision_dialog_writes_nothing(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "d", "2", "escape")
        await pilot.pause()
        assert isinstance(app.screen, PatientScreen)
        assert state(store, METOPROLOL)["status"] == "open"


async def test_comment_on_decided_finding_is_stored(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "1", "up", "c")  # decide, back up to it, comment
        await pilot.pause()
        await pilot.press(*"Pascal rättas i dag", "enter")
        await pilot.pause()
        decided = state(store, METOPROLOL)
        assert (decided["action"], decided["comment"]) == ("cosmic_correct", "Pascal rättas i dag")
        assert len(store.history(METOPROLOL)) == 2


async def test_undo_withdraws_my_last_decision(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "3", "4")  # metoprolol, then simvastatin
        await pilot.pause()
        assert state(store, SIMVASTATIN)["action"] == "prescriber_contacted"
        await pilot.press("u")
        await pilot.pause()
        assert state(store, SIMVASTATIN)["status"] == "open"
        assert store.history(SIMVASTATIN)[-1].is_withdrawal
        assert state(store, METOPROLOL)["action"] == "intentional"
        await pilot.press("u", "u")
        await pilot.pause()
        assert state(store, METOPROLOL)["status"] == "open"
        assert "Du har inget beslut att ångra för den här patienten." in notes(app)


async def test_sign_off_refused_while_findings_are_open(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "3", "s")
        await pilot.pause()
        assert isinstance(app.screen, PatientScreen)  # no confirmation dialog
        assert "Kan inte signera ännu" in titles(app)
        assert store.sign_offs(KARIN) is None


async def test_sign_off_after_all_decided_is_recorded(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "3", "1", "6", "s")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        record = store.sign_offs(KARIN)
        assert record is not None and record.signed_by == USER
        assert set(record.finding_ids) == {METOPROLOL, SIMVASTATIN, OXAZEPAM}
        assert "Avstämd" in str(app.screen.query_one("#patient-info").render())
        await pilot.press("escape")
        await pilot.pause()
        row = app.worklist.query_one("#patients", DataTable).get_row(KARIN)
        assert str(row[-1]) == "Avstämd"


async def test_sign_off_can_be_declined(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("down", "down", "down", "enter")  # Maja: nothing to decide
        await pilot.pause()
        await pilot.press("s", "n")
        await pilot.pause()
        assert store.sign_offs(MAJA) is None


async def test_conflict_from_another_writer_is_shown_and_not_overwritten(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert store.path is not None
        with Store.open(store.path) as other:  # a colleague on another machine
            other.decide(METOPROLOL, KARIN, "pascal_correct", user="bertil.apotekare")
        await pilot.press("1")
        await pilot.pause()
        assert "Ändrat av någon annan" in titles(app)
        assert any("bertil.apotekare" in n for n in notes(app))
        current = state(store, METOPROLOL)
        assert (current["action"], current["decided_by"]) == ("pascal_correct", "bertil.apotekare")
        # the view now shows the colleague's decision
        assert app.screen.data.finding(METOPROLOL)["action"] == "pascal_correct"


async def test_approve_agreeing_lines_is_audited(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "a")
        await pilot.pause()
        whats = [e.details.get("what") for e in store.audit_entries(KARIN)]
        assert "godkände rader som överensstämmer (2 st)" in whats
        assert app.screen.data.approved


async def test_handover_file_is_written_owner_only(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "3", "h")
        await pilot.pause()
        files = list((tmp_path / "handover").glob("*.txt"))
        assert len(files) == 1
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "handover").stat().st_mode) == 0o700
        assert KARIN not in files[0].name
        text = files[0].read_text(encoding="utf-8")
        assert "Andersson, Karin" in text and "19400512-1234" in text
        assert "Beslut: Avsiktlig skillnad (anna.sjukskoterska)" in text
        assert "INGET BESLUT ÄNNU" in text  # simvastatin and oxazepam are still open
        assert str(files[0]) in notes(app)


async def test_next_patient_key_opens_and_logs_the_next(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter", "right_square_bracket")
        await pilot.pause()
        assert app.screen.patient_id == NILS
        assert [e.action for e in store.audit_entries(NILS)] == ["access"]


async def test_help_screen_opens_and_closes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_rejected_rows_screen_lists_file_line_reason(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        table = app.screen.query_one("#problems", DataTable)
        rows = [tuple(map(str, table.get_row_at(i))) for i in range(table.row_count)]
        assert (
            "cosmic.csv",
            "9",
            "okänd",
            "ogiltigt personnummer 19400512-1235 (kontrollsiffra)",
        ) in rows
        await pilot.press("escape")
        assert app.screen is app.worklist


@pytest.mark.parametrize(
    ("error", "expected", "exit_code"),
    [
        (UnusableInputError("Filen cosmic.csv saknar kolumnen Personnummer."), "Personnummer", 2),
        (ValueError("194005121234 broke"), "internt fel", 1),
    ],
)
async def test_unusable_input_shows_problem_screen_without_crash(
    make_app: AppFactory, error: Exception, expected: str, exit_code: int
) -> None:
    def loader(_progress):  # type: ignore[no-untyped-def]
        raise error

    app = make_app(loader=loader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert expected.lower() in app.screen.message.lower()
        assert "194005121234" not in app.screen.message  # no patient data from the exception
        await pilot.press("q")
    assert app.return_code == exit_code


def _many_patients(n: int) -> Reconciliation:
    recon = reconciliation()
    extra = pl.DataFrame(
        {
            "patient_id": [f"1950{i:08d}" for i in range(n)],
            "patient_name": [f"Patient{i:05d}, Test" for i in range(n)],
            "care_unit": ["Hemsjukvård Arvika"] * n,
        }
    ).with_columns(
        in_cosmic=pl.lit(True),
        in_pascal=pl.lit(True),
        incomplete=pl.lit(False),
        incomplete_reasons=pl.lit([], pl.List(pl.String)),
        n_cosmic_lines=pl.lit(0, pl.Int64),
        n_pascal_lines=pl.lit(0, pl.Int64),
        elderly_flags=pl.lit([], pl.List(pl.String)),
        elderly_notes=pl.lit([], pl.List(pl.String)),
    )
    recon.patients = pl.concat([recon.patients, extra.select(recon.patients.columns)])
    return recon


async def test_long_worklist_is_filled_in_chunks_and_searchable(make_app: AppFactory) -> None:
    app = make_app(recon=_many_patients(1500))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        table = app.worklist.query_one("#patients", DataTable)
        assert table.row_count < 1504  # not everything at once
        first = table.row_count
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert table.row_count > first  # more rows arrive as the cursor nears the end
        assert "1504 av 1504 patienter visas" in str(
            app.worklist.query_one("#worklist-status").render()
        )
        # a patient far down the list is found by search
        app.worklist.query_one("#search", Input).value = "Patient01499"
        await pilot.pause(0.3)
        assert worklist_order(app) == ["195000001499"]

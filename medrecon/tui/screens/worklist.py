"""The worklist: every patient, most severe first, with search and filters."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import polars as pl
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar, Static

from medrecon.tui import worklist_model as wm
from medrecon.tui.guard import guarded
from medrecon.tui.screens.patient import PatientScreen
from medrecon.tui.screens.problems import ProblemsScreen, rejected_problems
from medrecon.tui.session import ReviewSession
from medrecon.tui.widgets.filter_bar import FilterBar

if TYPE_CHECKING:
    from medrecon.tui.app import MedreconApp

# Rebuilding 10,000 rows on every keystroke would lag; wait for a short pause in typing.
FILTER_DELAY = 0.15
NARROW = 112  # below this width the unit column is left out (it is still a filter)
# DataTable spends ~0.4 ms per row it is given, so 10,000 rows at once would freeze the
# screen for seconds. Rows are added a chunk at a time: the first on every filter change,
# the next when the cursor nears the end of what is shown.
CHUNK = 400
_SEVERITY_STYLE = {"n_high": "bold red", "n_medium": "yellow", "n_low": "cyan"}


class WorklistScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Sök", tooltip="Sök på namn eller personnummer", id="search"),
        Binding("escape", "clear_search", "Rensa sök", show=False, id="clear-search"),
        Binding(
            "p", "problems", "Inläsningsfel", tooltip="Rader som inte kunde läsas", id="problems"
        ),
        Binding("q", "app.quit", "Avsluta", tooltip="Stäng medrecon", id="quit-worklist"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.session: ReviewSession | None = None
        self._rows: dict[str, tuple[object, ...]] = {}
        self._visible: list[str] = []
        self._filter_timer: Timer | None = None
        self._pending = wm.WorklistFilter()
        self._load_seconds = 0.0
        self._narrow = False
        self._shown = 0

    @property
    def medrecon(self) -> MedreconApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="loading"):
            yield Label("Läser in …", id="loading-title")
            yield ProgressBar(total=5, show_eta=False, id="load-progress")
            yield Label("", id="load-status")
        yield FilterBar(id="filters")
        yield DataTable(id="patients", cursor_type="row", zebra_stripes=True)
        yield Static("", id="worklist-status")
        yield Footer()

    def on_mount(self) -> None:
        self._narrow = self.app.size.width < NARROW
        self._add_columns()
        self.query_one("#filters").display = False
        self.query_one("#patients", DataTable).display = False

    def _columns(self) -> list[int]:
        """Indexes of the shown columns: the unit is left out on narrow terminals."""
        return [
            i
            for i, (key, _label) in enumerate(wm.WORKLIST_COLUMNS)
            if not (self._narrow and key == "unit_text")
        ]

    def _add_columns(self) -> None:
        table = self.query_one("#patients", DataTable)
        for i in self._columns():
            key, label = wm.WORKLIST_COLUMNS[i]
            table.add_column(label, key=key)

    @guarded
    def on_resize(self, event: events.Resize) -> None:
        narrow = self.app.size.width < NARROW
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self.query_one("#patients", DataTable).clear(columns=True)
        self._add_columns()
        self._apply(self._pending)

    # --- called by the app -------------------------------------------------------------
    def show_progress(self, step: int, total: int, text: str) -> None:
        bar = self.query_one("#load-progress", ProgressBar)
        bar.update(total=total, progress=step)
        self.query_one("#load-status", Label).update(text)

    def show_failure(self, message: str) -> None:
        self.query_one("#loading-title", Label).update("Inläsningen misslyckades")
        self.query_one("#load-status", Label).update(message)
        self.query_one("#load-progress").display = False

    def show_session(self, session: ReviewSession, seconds: float) -> None:
        self.session = session
        self._load_seconds = seconds
        self._rows = {
            pid: self._styled(cells) for pid, cells in wm.display_rows(session.worklist).items()
        }
        self.query_one("#loading").display = False
        self.query_one("#filters").display = True
        table = self.query_one("#patients", DataTable)
        table.display = True
        self.query_one(FilterBar).set_units(wm.units(session.worklist))
        self._apply(wm.WorklistFilter())
        table.focus()

    def refresh_patient(self, patient_id: str) -> None:
        """Update one row after decisions (the session already re-read the store)."""
        if self.session is None:
            return
        frame = self.session.worklist.filter(pl.col("patient_id") == patient_id)
        if not frame.height:
            return
        cells = self._styled(wm.display_rows(frame)[patient_id])
        self._rows[patient_id] = cells
        table = self.query_one("#patients", DataTable)
        if patient_id in table.rows:
            for i in self._columns():
                table.update_cell(patient_id, wm.WORKLIST_COLUMNS[i][0], cells[i])
        self._update_status()

    # --- rows ----------------------------------------------------------------------------
    @staticmethod
    def _styled(cells: tuple[object, ...]) -> tuple[object, ...]:
        out: list[object] = []
        for (key, _label), value in zip(wm.WORKLIST_COLUMNS, cells, strict=True):
            if key in _SEVERITY_STYLE:
                count = int(value or 0)  # type: ignore[call-overload]
                text = str(count) if count else "·"
                out.append(
                    Text(text, style=_SEVERITY_STYLE[key] if count else "dim", justify="right")
                )
            elif key == "status_text":
                style = {"Avstämd": "green", "Pågående": "yellow"}.get(str(value), "")
                out.append(Text(str(value), style=style))
            else:
                out.append(Text(str(value or "")))  # Text, not str: no markup parsing
        return tuple(out)

    @guarded
    def _apply(self, flt: wm.WorklistFilter) -> None:
        if self.session is None:
            return
        self._visible = wm.filter_worklist(self.session.worklist, flt)
        table = self.query_one("#patients", DataTable)
        table.clear()
        self._shown = 0
        self._add_chunk()

    def _add_chunk(self) -> None:
        table = self.query_one("#patients", DataTable)
        columns = self._columns()
        rows = self._rows
        for pid in self._visible[self._shown : self._shown + CHUNK]:
            cells = rows[pid]
            table.add_row(*[cells[i] for i in columns], key=pid)
        self._shown = table.row_count
        self._update_status()

    @guarded
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self._shown - 20 and self._shown < len(self._visible):
            self._add_chunk()

    def _update_status(self) -> None:
        if self.session is None:
            return
        total = self.session.worklist.height
        shown = len(self._visible)
        text = f"{shown} av {total} patienter visas · användare {self.medrecon.user}"
        if self._shown < shown:
            text += f" · fler laddas när du bläddrar ned ({self._shown} i listan)"
        if not shown:
            text = f"Inga patienter matchar sökningen ({total} inlästa) · Esc rensar"
        self.query_one("#worklist-status", Static).update(text)

    @guarded
    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        self._pending = event.value
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self._apply(self._pending))

    # --- actions -------------------------------------------------------------------------
    @guarded
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_patient(event.row_key.value)

    def open_patient(self, patient_id: str) -> None:
        if self.session is None:
            return
        self.app.push_screen(PatientScreen(self.session, patient_id, list(self._visible)))

    def action_search(self) -> None:
        if self.session is not None:
            self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.query_one("#patients", DataTable).focus()

    def action_problems(self) -> None:
        if self.session is None:
            return
        problems = rejected_problems(self.session.recon)
        if not problems:
            self.notify("Alla rader lästes in.", title="Inga inläsningsfel")
            return
        self.app.push_screen(
            ProblemsScreen(
                "Rader som inte kunde läsas",
                "De här raderna finns inte med i avstämningen. Patienter som har en sådan "
                "rad är markerade ⚠ som ofullständigt inlästa: deras listor kan sakna "
                "läkemedel. Rätta raderna i källsystemet eller i exporten och läs in igen.",
                problems,
                fatal=False,
            )
        )

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter ends the search: apply it now rather than after the typing delay, so an
        # Enter that follows at once opens a patient of the filtered list.
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        self._pending = self.query_one(FilterBar).value
        self._apply(self._pending)
        self.query_one("#patients", DataTable).focus()

"""Problems with the input: unusable files, and rows that were rejected (file, line, reason)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from medrecon.ids import display_patient_id
from medrecon.model import Reconciliation
from medrecon.tui.messages import Problem


def rejected_problems(recon: Reconciliation) -> list[Problem]:
    """Every rejected row as (file, line, patient, reason), in file and line order.

    The patient is the formatted personnummer when the row's id could be read ("okänd"
    when the id itself was the problem): that patient is marked incompletely loaded.
    """
    frame = recon.rejected.sort(["file", "line"], nulls_last=True)
    return [
        (
            str(f or ""),
            "" if n is None else str(n),
            display_patient_id(p) if p else "okänd",
            str(r or ""),
        )
        for f, n, p, r in frame.select("file", "line", "patient_id", "reason").iter_rows()
    ]


class ProblemsScreen(Screen[None]):
    """A screen of its own for input problems; ``fatal`` when nothing could be loaded."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Tillbaka", tooltip="Tillbaka till arbetslistan", id="back"),
        Binding("q", "app.quit", "Avsluta", tooltip="Stäng medrecon", id="quit-problems"),
    ]

    def __init__(
        self, title: str, message: str, problems: list[Problem], *, fatal: bool = True
    ) -> None:
        super().__init__()
        self.problem_title = title
        self.message = message
        self.problems = problems
        self.fatal = fatal
        self.internal_error = False  # set by the app: Esc then closes every screen above

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"[b]{self.problem_title}[/b]", id="problems-title")
        yield Static(self.message, id="problems-message", markup=False)
        if self.problems:
            yield DataTable(id="problems", cursor_type="row", zebra_stripes=True)
        hint = (
            "Rätta filerna och starta medrecon igen. Tryck q för att avsluta."
            if self.fatal
            else "Esc går tillbaka till arbetslistan."
        )
        yield Static(hint, id="problems-hint")
        yield Footer()

    def on_mount(self) -> None:
        if self.problems:
            table = self.query_one("#problems", DataTable)
            table.add_column("Fil", key="file")
            table.add_column("Rad", key="line")
            table.add_column("Patient", key="patient")
            table.add_column("Orsak", key="reason")
            # Text cells: a reason is shown as written, never parsed as markup.
            table.add_rows([tuple(Text(cell) for cell in row) for row in self.problems])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing was loaded, so there is no worklist to go back to: only "Avsluta".
        return not (self.fatal and action == "back")

    def action_back(self) -> None:
        self.dismiss()

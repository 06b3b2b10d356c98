"""Search field and the three filters above the worklist."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select

from medrecon.labels import SEVERITY_LABEL, STATUS_LABEL
from medrecon.tui.worklist_model import ALL, WorklistFilter


class FilterBar(Horizontal):
    """Posts ``FilterBar.Changed`` with the complete filter whenever any part changes."""

    class Changed(Message):
        def __init__(self, value: WorklistFilter) -> None:
            super().__init__()
            self.value = value

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Sök namn eller personnummer ( / )", id="search", compact=True)
        yield Select([("Alla enheter", ALL)], value=ALL, allow_blank=False, id="unit", compact=True)
        yield Select(
            [("Alla statusar", ALL), *[(label, code) for code, label in STATUS_LABEL.items()]],
            value=ALL,
            allow_blank=False,
            id="status",
            compact=True,
        )
        yield Select(
            [
                ("Alla nivåer", ALL),
                *[(f"{SEVERITY_LABEL[s]} öppen", s) for s in ("high", "medium", "low")],
            ],
            value=ALL,
            allow_blank=False,
            id="severity",
            compact=True,
        )

    def on_mount(self) -> None:
        self.query_one("#search", Input).cursor_blink = bool(
            getattr(self.app, "cursor_blink", True)
        )

    def set_units(self, units: list[str]) -> None:
        self.query_one("#unit", Select).set_options(
            [("Alla enheter", ALL), *[(u, u) for u in units]]
        )

    @property
    def value(self) -> WorklistFilter:
        def selected(widget_id: str) -> str:
            value = self.query_one(widget_id, Select).value
            return value if isinstance(value, str) else ALL

        return WorklistFilter(
            text=self.query_one("#search", Input).value,
            unit=selected("#unit"),
            status=selected("#status"),
            severity=selected("#severity"),
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.value))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.value))

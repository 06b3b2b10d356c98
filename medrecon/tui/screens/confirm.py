"""A yes/no question (used before signing off a patient)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "answer(True)", "Ja", id="yes"),
        Binding("n", "answer(False)", "Nej", id="no"),
        Binding("escape", "answer(False)", "Avbryt", show=False, id="cancel"),
    ]

    YES_KEY = "j"

    def __init__(self, title: str, message: str, yes: str = "Ja") -> None:
        super().__init__()
        self.dialog_title = title
        self.message = message
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Label(self.dialog_title, id="confirm-title", markup=False)
            yield Static(self.message, id="confirm-message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    f"{self.yes} ({self.YES_KEY})",
                    variant="primary",
                    id="confirm-yes",
                    compact=True,
                )
                yield Button("Nej (n)", id="confirm-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")


class AcknowledgeDialog(ConfirmDialog, inherit_bindings=False):
    """A confirmation that takes its own key ("k", kontrollerat), so that pressing "j"
    twice after a first question never confirms something not read (ConfirmDialog's
    bindings are not inherited)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "answer(True)", "Kontrollerat", id="acknowledge"),
        Binding("n", "answer(False)", "Nej", id="no"),
        Binding("escape", "answer(False)", "Avbryt", show=False, id="cancel"),
    ]
    YES_KEY = "k"

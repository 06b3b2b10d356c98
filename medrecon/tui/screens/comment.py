"""A comment on a decided finding (saved as a new version of the same decision)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from medrecon.tui.guard import guarded


class CommentDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Avbryt", tooltip="Stäng utan att spara", id="cancel"),
    ]

    def __init__(self, title: str, comment: str = "") -> None:
        super().__init__()
        self.dialog_title = title
        self.comment = comment

    def compose(self) -> ComposeResult:
        with Vertical(id="comment-box", classes="dialog"):
            yield Label(self.dialog_title, id="comment-title", markup=False)
            yield Static("Kommentaren sparas med beslutet och syns i historiken.",
                         classes="dialog-hint")  # fmt: skip
            yield Input(
                value=self.comment, placeholder="Kommentar", id="comment-input", compact=True
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Spara", variant="primary", id="comment-save", compact=True)
                yield Button("Avbryt", id="comment-cancel", compact=True)

    def on_mount(self) -> None:
        comment = self.query_one("#comment-input", Input)
        comment.cursor_blink = bool(getattr(self.app, "cursor_blink", True))
        comment.focus()

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    @guarded
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "comment-save":
            self.dismiss(self.query_one("#comment-input", Input).value.strip())
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

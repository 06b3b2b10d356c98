"""The decision dialog: choose what happens with one finding, with an optional comment."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from medrecon.labels import ACTION_LABEL, KIND_LABEL, SEVERITY_LABEL
from medrecon.tui.guard import guarded
from medrecon.tui.widgets.line_cell import ACTION_KEYS

DecisionResult = tuple[str, str]  # (action code, comment)


class DecisionOptions(OptionList):
    """The six decisions. Keys 1–6 pick one only while this list has focus: in the comment
    field a digit is text ("ringt 2 ggr"), on a button it does nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"pick('{code}')", ACTION_LABEL[code], show=False, id=f"pick-{key}")
        for key, code in ACTION_KEYS.items()
    ]

    def action_pick(self, code: str) -> None:
        # Highlight only; focus stays here so Tab leads on to the comment field.
        self.highlighted = list(ACTION_LABEL).index(code)


class DecisionDialog(ModalScreen[DecisionResult | None]):
    """1–6 or arrows pick the decision, Tab or Enter to the comment, Enter there saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Avbryt", tooltip="Stäng utan att spara", id="cancel"),
        Binding("ctrl+s", "save", "Spara", tooltip="Spara beslutet", id="save"),
    ]

    def __init__(
        self, finding: dict[str, Any], *, action: str | None = None, comment: str = ""
    ) -> None:
        super().__init__()
        self.finding = finding
        self.initial_action = action or finding.get("action")
        self.initial_comment = comment or (finding.get("comment") or "")

    def compose(self) -> ComposeResult:
        severity = self.finding.get("severity") or ""
        kind = KIND_LABEL.get(self.finding.get("kind") or "", "")
        with Vertical(id="decision-box", classes="dialog"):
            yield Label(f"Beslut: {SEVERITY_LABEL.get(severity, '')} · {kind}", id="decision-title")
            yield Static(self.finding.get("explanation") or "", id="decision-explanation",
                         markup=False)  # fmt: skip
            yield DecisionOptions(
                *[
                    Option(f"{key}  {ACTION_LABEL[code]}", id=code)
                    for key, code in ACTION_KEYS.items()
                ],
                id="decision-actions",
            )
            yield Input(
                value=self.initial_comment,
                placeholder="Kommentar (valfri): varför, vem du talat med …",
                id="decision-comment",
                compact=True,
            )
            yield Static("1–6 väljer · Tab till kommentaren · Enter sparar · Esc avbryter",
                         classes="dialog-hint")  # fmt: skip
            with Horizontal(classes="dialog-buttons"):
                yield Button("Spara", variant="primary", id="decision-save", compact=True)
                yield Button("Avbryt", id="decision-cancel", compact=True)

    def on_mount(self) -> None:
        options = self.query_one("#decision-actions", OptionList)
        codes = list(ACTION_LABEL)
        options.highlighted = (
            codes.index(self.initial_action) if self.initial_action in codes else 0
        )
        comment = self.query_one("#decision-comment", Input)
        comment.cursor_blink = bool(getattr(self.app, "cursor_blink", True))
        options.focus()

    def focus_comment(self) -> None:
        self.query_one("#decision-comment", Input).focus()

    def _chosen(self) -> str | None:
        options = self.query_one("#decision-actions", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_save(self) -> None:
        action = self._chosen()
        if action is None:
            self.notify("Välj ett beslut (1–6).", severity="warning")
            return
        self.dismiss((action, self.query_one("#decision-comment", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @guarded
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.focus_comment()

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @guarded
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "decision-save":
            self.action_save()
        else:
            self.action_cancel()

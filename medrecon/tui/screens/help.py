"""Every key in one place (opened with ?)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from medrecon.labels import ACTION_LABEL
from medrecon.tui.widgets.line_cell import ACTION_KEYS, DIFF_STYLE

HELP_SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Arbetslistan",
        (
            ("↑ ↓  Enter", "välj och öppna patient"),
            ("/", "sök på namn eller personnummer"),
            ("Esc", "rensa sökningen"),
            ("Tab", "till filtren: enhet, status, allvarlighet"),
            ("p", "rader som inte kunde läsas in"),
            ("q", "avsluta"),
        ),
    ),
    (
        "Patientvyn",
        (
            *((key, ACTION_LABEL[code]) for key, code in ACTION_KEYS.items()),
            ("Enter / d", "beslutsdialog med kommentar"),
            ("c", "kommentar till beslutet"),
            ("u", "ångra ditt senaste beslut (återtas i registret)"),
            ("a", "godkänn alla rader som överensstämmer"),
            ("s", "signera patienten som avstämd (alla avvikelser beslutade)"),
            ("h", "skriv överrapportering till fil"),
            ("] [", "nästa / föregående patient i listan"),
            ("Esc", "tillbaka till arbetslistan"),
        ),
    ),
    (
        "Beslutsdialogen",
        (
            ("1–6  ↑ ↓", "välj beslut (i listan)"),
            ("Tab / Enter", "till kommentarsfältet"),
            ("Enter", "i kommentaren: spara beslut och kommentar"),
            ("Ctrl+S", "spara"),
            ("Esc", "avbryt utan att spara"),
        ),
    ),
)


def help_renderable() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for title, rows in HELP_SECTIONS:
        table.add_row(Text(title, style="bold underline"), "")
        for key, text in rows:
            table.add_row(key, text)
        table.add_row("", "")
    legend = Text()
    legend.append("gul markering", style=DIFF_STYLE)
    legend.append(" = det som skiljer mellan Cosmic och Pascal på samma rad")
    table.add_row(Text("Färger", style="bold underline"), "")
    table.add_row("", legend)
    table.add_row("", "⚠ före ett namn = några av patientens rader kunde inte läsas")
    table.add_row("", "〃 = samma rader som ovan, en avvikelse till")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Stäng", tooltip="Stäng hjälpen", id="close"),
        Binding("question_mark", "close", "Stäng", show=False, id="close-help"),
        Binding("q", "close", "Stäng", show=False, id="close-q"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog") as box:
            box.border_title = "Hjälp – kortkommandon"
            box.border_subtitle = "Esc stänger"
            yield Static(help_renderable(), id="help-body")

    def action_close(self) -> None:
        self.dismiss(None)

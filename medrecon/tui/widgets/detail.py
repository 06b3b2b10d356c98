"""The detail pane below the two lists: why, how the lines were paired, raw lines, history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rich.console import Group as RichGroup
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from medrecon.labels import KIND_LABEL, MECHANISM_LABEL, SEVERITY_LABEL
from medrecon.tui.patient_model import SECTION_HINT, SECTION_LABEL, Line, Row
from medrecon.tui.session import format_time
from medrecon.tui.widgets.line_cell import ACTION_KEYS, ACTION_SHORT, SEVERITY_STYLE

# The export's own column names, so "as exported" reads like the file the nurse knows.
_COSMIC_FIELDS = (
    ("Läkemedel", "product_text"),
    ("Substans", "substance_text"),
    ("Styrka", "strength_text"),
    ("Läkemedelsform", "form_text"),
    ("Administreringsväg", "route_text"),
    ("Dosering", "dosing_text"),
    ("Doseringstyp", "dosing_type"),
    ("Insättningsdatum", "start_date"),
    ("Utsättningsdatum", "end_date"),
    ("Status", "status"),
    ("Ordinationstyp", "order_type"),
    ("Dosdispenserad", "dispensing"),
    ("ATC", "atc"),
    ("Förskrivare", "prescriber"),
    ("Ändamål", "purpose"),
    ("Senast ändrad", "last_changed"),
)
_PASCAL_FIELDS = (
    ("Förskrivet läkemedel", "product_text"),
    ("Verksamt ämne", "substance_text"),
    ("Styrka", "strength_text"),
    ("Läkemedelsform", "form_text"),
    ("Administreringssätt", "route_text"),
    ("Användning", "dosing_text"),
    ("Morgon", "dose_morning"),
    ("Middag", "dose_noon"),
    ("Kväll", "dose_evening"),
    ("Natt", "dose_night"),
    ("Dispensering", "dispensing"),
    ("Vid behov", "as_needed"),
    ("Insättningsdatum", "start_date"),
    ("Sista giltighetsdag", "valid_until"),
    ("Utsatt", "end_date"),
    ("Förskrivare", "prescriber"),
    ("ATC", "atc"),
    ("NPL-id", "npl_id"),
    ("Behandlingsorsak", "purpose"),
    ("Ändrad", "last_changed"),
)
_CODE_TEXT = {
    "active": "Aktiv",
    "ended": "Utsatt",
    "paused": "Pausad",
    "prescription": "Recept",
    "ward_stock": "Rekvisition",
    "self_care": "Egenvård",
}


def _value(source: str, key: str, value: Any) -> str:
    if value is None:
        return ""
    if key == "dispensing":
        if source == "cosmic":
            return "Ja" if value == "dose" else "Nej"
        return "Dosdispenserad" if value == "dose" else "Helförpackning"
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return _CODE_TEXT.get(str(value), str(value))


def raw_line(line: Line) -> Text:
    """The line with the export's own headers, filled fields only."""
    source = line.get("source") or ""
    fields = _COSMIC_FIELDS if source == "cosmic" else _PASCAL_FIELDS
    system = "Cosmic" if source == "cosmic" else "Pascal"
    out = Text()
    out.append(f"{system} {line.get('line_id')} ({line.get('file')} rad {line.get('line')})\n",
               style="bold underline")  # fmt: skip
    parts = []
    for header, key in fields:
        text = _value(source, key, line.get(key))
        if text:
            parts.append((header, text))
    for i, (header, text) in enumerate(parts):
        if i:
            out.append("  ·  ", style="dim")
        out.append(f"{header}: ", style="dim")
        out.append(text)
    return out


def _changed_text(finding: dict[str, Any]) -> str:
    """ "Senast ändrad: Cosmic 2025-03-02 14:10, Pascal 2026-11-18 08:30" (known sides)."""
    sides = [
        f"{system} {_value('', 'last_changed', finding.get(key))}"
        for system, key in (("Cosmic", "cosmic_changed"), ("Pascal", "pascal_changed"))
        if finding.get(key) is not None
    ]
    return "Senast ändrad: " + ", ".join(sides) if sides else ""


def _legend() -> Text:
    out = Text("Beslut: ", style="bold")
    for i, (key, code) in enumerate(ACTION_KEYS.items()):
        if i:
            out.append("  ")
        out.append(key, style="reverse")
        out.append(" " + ACTION_SHORT[code])
    return out


class DetailPane(VerticalScroll, can_focus=False):
    """Shows everything about the row under the cursor."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-body")

    def show(self, row: Row | None, finding: dict[str, Any] | None, history: list[str]) -> None:
        body = self.query_one("#detail-body", Static)
        self.scroll_home(animate=False)
        if row is None:
            body.update("")
            return
        parts: list[Any] = []
        if row.header:
            parts.append(Text(f"{SECTION_LABEL[row.section]}: {SECTION_HINT[row.section]}",
                              style="bold"))  # fmt: skip
        if finding is not None:
            severity = finding.get("severity") or ""
            head = Text()
            head.append(SEVERITY_LABEL.get(severity, severity),
                        style=SEVERITY_STYLE.get(severity, ""))  # fmt: skip
            head.append(" · " + KIND_LABEL.get(finding.get("kind") or "", ""), style="bold")
            if finding.get("status") == "decided":
                head.append(f"  ✓ {finding.get('action_label') or finding.get('action')}",
                            style="green")  # fmt: skip
                head.append(f" ({finding.get('decided_by')}, "
                            f"{format_time(finding.get('decided_at'))})", style="dim")  # fmt: skip
            else:
                head.append("  ● Öppen – inget beslut ännu", style="bold")
            parts.append(head)
            parts.append(Text(finding.get("explanation") or ""))
            hint = finding.get("hint")
            if hint:
                parts.append(Text(f"Ledtråd: {hint}", style="cyan"))
            changed = _changed_text(finding)
            if changed:
                parts.append(Text(changed, style="dim"))
            if finding.get("comment"):
                parts.append(Text(f"Kommentar: {finding['comment']}", style="italic"))
            if finding.get("status") != "decided" and finding.get("previous_action"):
                parts.append(Text(
                    "Raderna har ändrats sedan förra beslutet "
                    f"({ACTION_SHORT.get(finding['previous_action'], '')}); beslut krävs igen.",
                    style="yellow",
                ))  # fmt: skip
            parts.append(_legend())
        match = row.match
        if match is not None and not row.header and row.cosmic and row.pascal:
            mechanism = MECHANISM_LABEL.get(match.get("mechanism") or "", "okänd")
            score = match.get("score")
            score_text = f"{score:.2f}".replace(".", ",") if score is not None else "–"
            parts.append(Text(f"Parade på: {mechanism} (poäng {score_text})", style="dim"))
        elif not row.header and (row.cosmic is None) != (row.pascal is None):
            parts.append(Text("Ingen motsvarande rad i det andra systemet.", style="dim"))
        for line in (row.cosmic, row.pascal):
            if line is not None:
                parts.append(raw_line(line))
        if history:
            parts.append(Text("Beslutshistorik", style="bold underline"))
            parts.extend(Text(h) for h in history)
        body.update(RichGroup(*parts))

"""How one medication line looks in a cell, with the attributes that differ highlighted."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from medrecon.labels import ACTION_LABEL, KIND_LABEL, SEVERITY_LABEL
from medrecon.tui.patient_model import Line, dosing_text, status_text

DIFF_STYLE = "bold black on yellow"
SEVERITY_STYLE = {"high": "bold red", "medium": "bold yellow", "low": "cyan"}

# Short forms for narrow columns and the footer legend.
ACTION_SHORT: dict[str, str] = {
    "cosmic_correct": "Cosmic rätt",
    "pascal_correct": "Pascal rätt",
    "intentional": "Avsiktlig",
    "prescriber_contacted": "Förskr. kontaktad",
    "escalated": "Eskalerad",
    "fixed": "Åtgärdad",
}
ACTION_KEYS: dict[str, str] = {str(i): code for i, code in enumerate(ACTION_LABEL, start=1)}


def line_cell(line: Line | None, differing: frozenset[str]) -> Text:
    """Two lines: substance, strength, form / dose and status. Differences highlighted."""
    if line is None:
        return Text("—", style="dim", no_wrap=True, overflow="ellipsis")
    out = Text(no_wrap=True, overflow="ellipsis")

    def part(value: object, attribute: str, sep: str = " ") -> None:
        value_text = str(value or "").strip()
        if not value_text:
            return
        if out.plain and not out.plain.endswith("\n"):
            out.append(sep)
        out.append(value_text, style=DIFF_STYLE if attribute in differing else "")

    name = line.get("substance_text") or str(line.get("substance") or "").capitalize()
    if not name:
        name = line.get("product_text") or "okänt läkemedel"
    part(name, "substance")
    part(line.get("strength_text"), "strength")
    part(line.get("form_text"), "form")
    out.append("\n")
    dose_diff = "dose" if "dose" in differing else "schedule"
    part(dosing_text(line), dose_diff)
    part(status_text(line), "status", " · ")
    return out


def finding_cell(
    finding: dict[str, Any] | None, *, first: bool, approved: bool, section: str
) -> Text:
    """The left column: severity and kind, then the decision (or "Öppen")."""
    out = Text(no_wrap=True, overflow="ellipsis")
    if finding is None:
        if section == "agree":
            out.append("✓ Granskad" if approved else "Lika", style="green" if approved else "dim")
        elif section == "history":
            out.append("Historik", style="dim")
        else:
            out.append("Jämförs ej", style="dim")
        return out
    if not first:
        return Text("  〃", style="dim")
    severity = finding.get("severity") or ""
    out.append(SEVERITY_LABEL.get(severity, severity), style=SEVERITY_STYLE.get(severity, ""))
    out.append(" " + KIND_LABEL.get(finding.get("kind") or "", finding.get("kind") or ""))
    out.append("\n")
    if finding.get("status") == "decided":
        action = finding.get("action") or ""
        out.append("✓ " + ACTION_SHORT.get(action, action), style="green")
    else:
        out.append("● Öppen", style="bold")
        if finding.get("previous_action"):
            previous = ACTION_SHORT.get(finding["previous_action"], finding["previous_action"])
            out.append(f" (förr: {previous})", style="dim")
    if finding.get("related_ids"):
        out.append("  ⇄ möjligt byte", style="cyan")
    elif finding.get("stale_system"):
        system = "Cosmic" if finding["stale_system"] == "cosmic" else "Pascal"
        out.append(f"  ⟲ {system} äldre", style="cyan")
    return out

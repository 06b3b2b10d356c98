"""The handover summary (överrapportering) of one patient as plain text.

UI-free, so the batch or a CLI command can write the same document. The text holds the
reconciled list, what differed, what was decided and why, and who signed; it is written
owner-only into a folder of its own, because it is full of patient data.
"""

from __future__ import annotations

import secrets
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from medrecon.files import ensure_private_dir, write_private_text
from medrecon.ids import display_patient_id
from medrecon.labels import KIND_LABEL, SEVERITY_LABEL, STATUS_LABEL
from medrecon.terminal_text import safe_text
from medrecon.tui.patient_model import (
    SECTION_AGREE,
    SECTION_FINDINGS,
    SECTION_HISTORY,
    SECTION_OTHER,
    Group,
    line_summary,
)

WIDTH = 78


@dataclass(frozen=True)
class SignOff:
    user: str
    at: str  # already formatted for reading
    # False when a decision changed after it (or a finding appeared it did not cover):
    # then it is no signature, and the document must not show it as one
    valid: bool = True


def default_handover_dir() -> Path:
    """``<user data dir>/medrecon/handover``: the nurse's own, not a shared folder."""
    import platformdirs

    return Path(platformdirs.user_data_dir("medrecon", appauthor=False)) / "handover"


def _wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    follow = hanging if hanging is not None else indent
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=follow) or [indent]


def _side(label: str, lines: Sequence[dict[str, Any]]) -> list[str]:
    if not lines:
        return _wrap(f"{label}: saknas", "    ")
    out: list[str] = []
    for line in lines:
        out += _wrap(f"{label} {line.get('line_id')}: {line_summary(line)}", "    ", "      ")
    return out


def handover_text(
    *,
    patient: dict[str, Any],
    groups: list[Group],
    history: dict[str, list[str]],
    sign_off: SignOff | None,
    user: str,
    now: datetime,
) -> str:
    """The whole document. ``groups`` carry findings with the store's state columns."""
    pid = str(patient.get("patient_id") or "")
    status = STATUS_LABEL.get(str(patient.get("review_status") or ""), "Ej granskad")
    out = [
        "ÖVERRAPPORTERING – LÄKEMEDELSAVSTÄMNING COSMIC/PASCAL",
        "=" * 52,
        f"Patient:       {patient.get('patient_name') or ''}",
        f"Personnummer:  {display_patient_id(pid)}",
        f"Enhet:         {patient.get('care_unit') or '–'}",
        f"Skriven:       {now:%Y-%m-%d %H:%M} av {user}",
        f"Status:        {status}",
    ]
    if sign_off is not None and sign_off.valid:
        out.append(f"Signerad av:   {sign_off.user}, {sign_off.at}")
    elif sign_off is not None:
        out.append("Signerad av:   – (inte signerad: måste signeras igen)")
        out += _wrap(
            f"Signeringen av {sign_off.user}, {sign_off.at}, gäller inte längre: ett beslut "
            "har ändrats eller en ny skillnad har tillkommit efter den.",
            "               ",
        )
    else:
        out.append("Signerad av:   – (inte signerad)")
    reasons = [str(r) for r in patient.get("incomplete_reasons") or []]
    if reasons:
        out += ["", "OBS! Listan kan sakna rader (ofullständigt inläst):"]
        for reason in reasons:
            out += _wrap(f"- {reason}", "  ", "    ")
    notes = [str(n) for n in patient.get("elderly_notes") or []]
    if notes:
        out += ["", "Att uppmärksamma (äldre):"]
        for note in notes:
            out += _wrap(f"- {note}", "  ", "    ")

    agree = [g for g in groups if g.section == SECTION_AGREE]
    findings = [g for g in groups if g.section == SECTION_FINDINGS]
    out += ["", "1. Avstämd lista – lika i Cosmic och Pascal", "-" * 44]
    if not agree:
        out.append("  (inga rader är lika i båda systemen)")
    for group in agree:
        for cosmic, pascal in group.pairs:
            line = cosmic or pascal
            if line is not None:
                ids = " / ".join(str(x["line_id"]) for x in (cosmic, pascal) if x is not None)
                out += _wrap(f"- {line_summary(line)}  [{ids}]", "  ", "    ")

    out += ["", "2. Skillnader och beslut", "-" * 24]
    if not findings:
        out.append("  Inga skillnader mellan listorna.")
    for group in findings:
        for finding in group.findings:
            severity = SEVERITY_LABEL.get(finding.get("severity") or "", "")
            kind = KIND_LABEL.get(finding.get("kind") or "", finding.get("kind") or "")
            substance = finding.get("substance") or ""
            out.append(f"* [{severity}] {kind}{' – ' + substance if substance else ''}")
            out += _wrap(str(finding.get("explanation") or ""), "    ")
            out += _side("Cosmic", group.cosmic)
            out += _side("Pascal", group.pascal)
            if finding.get("status") == "decided":
                decision = (
                    f"Beslut: {finding.get('action_label') or finding.get('action')} "
                    f"({finding.get('decided_by')})"
                )
                out += _wrap(decision, "    ")
                if finding.get("comment"):
                    out += _wrap(f"Varför: {finding['comment']}", "    ")
            else:
                out.append("    Beslut: INGET BESLUT ÄNNU")
            for entry in history.get(str(finding.get("id")), []):
                out += _wrap(f"· {entry}", "      ")
            out.append("")

    others = [g for g in groups if g.section in (SECTION_HISTORY, SECTION_OTHER)]
    if others:
        out += ["", "3. Övriga rader (historik, rekvisition, egenvård – jämförs inte)", "-" * 64]
        for group in others:
            for cosmic, pascal in group.pairs:
                for label, line in (("Cosmic", cosmic), ("Pascal", pascal)):
                    if line is not None:
                        out += _wrap(f"- {label}: {line_summary(line)}", "  ", "    ")
    out += ["", "Underlaget kommer från exporter ur Cambio Cosmic och Pascal (medrecon)."]
    # Export text (names, line texts) must not carry escape sequences into a terminal
    # or printer that shows the file.
    return safe_text("\n".join(out) + "\n")


def handover_file_name(now: datetime) -> str:
    """No personnummer in the file name (names end up in listings and backups)."""
    # A random reference: a hash of the personnummer could be reversed by trying them all.
    ref = secrets.token_hex(4)
    return f"overrapportering-{now:%Y%m%d-%H%M%S}-{ref}.txt"


def write_handover(folder: Path, text: str, now: datetime) -> Path:
    """Write the text owner-only into ``folder`` (created owner-only); the file's path."""
    ensure_private_dir(folder)
    target = folder / handover_file_name(now)
    write_private_text(target, text)
    return target

"""Swedish words for the stable codes, shared by every face (table, TUI, Excel).

Codes (kinds, severities, actions, statuses) are English and stable because the JSON
contract and the store use them; what a nurse reads is the Swedish label.
"""

from __future__ import annotations

from medrecon.kinds import KIND_LABEL, MECHANISM_LABEL

__all__ = [
    "ACTION_LABEL",
    "KIND_LABEL",
    "MECHANISM_LABEL",
    "SEVERITY_LABEL",
    "SEVERITY_RANK",
    "STATUS_LABEL",
]

SEVERITY_LABEL: dict[str, str] = {"high": "Hög", "medium": "Medel", "low": "Låg"}
SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3}

# Decisions a nurse or pharmacist can take on a finding (issue: decision store).
ACTION_LABEL: dict[str, str] = {
    "cosmic_correct": "Cosmic är rätt – Pascal uppdateras",
    "pascal_correct": "Pascal är rätt – Cosmic uppdateras",
    "intentional": "Avsiktlig skillnad",
    "prescriber_contacted": "Förskrivare kontaktad",
    "escalated": "Eskalerad till läkare",
    "fixed": "Åtgärdad i systemet",
}

# Patient review status shown in the worklist.
STATUS_LABEL: dict[str, str] = {
    "not_reviewed": "Ej granskad",
    "in_progress": "Pågående",
    "sign_off_lapsed": "Signera om",  # a decision changed after the sign-off (fits the column)
    "signed_off": "Avstämd",
}

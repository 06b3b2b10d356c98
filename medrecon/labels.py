"""Swedish words for the stable codes, shared by every face (table, TUI, Excel).

Codes (kinds, severities, actions, statuses) are English and stable because the JSON
contract and the store use them; what a nurse reads is the Swedish label.
"""

from __future__ import annotations

KIND_LABEL: dict[str, str] = {
    "missing_in_pascal": "Saknas i Pascal",
    "missing_in_cosmic": "Saknas i Cosmic",
    "ended_in_cosmic": "Utsatt i Cosmic, aktiv i Pascal",
    "ended_in_pascal": "Utsatt i Pascal, aktiv i Cosmic",
    "dose": "Olika dos",
    "schedule": "Olika tidpunkter",
    "as_needed": "Vid behov på ena sidan",
    "strength": "Olika styrka",
    "form": "Olika beredningsform",
    "route": "Olika administreringsväg",
    "duplicate": "Dubbelförskrivning",
    "needs_review": "Dosering behöver granskas",
    "dispensing": "Dosdispensering skiljer",
    "patient_missing": "Patienten saknas i ena systemet",
}

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

MECHANISM_LABEL: dict[str, str] = {
    "npl": "samma NPL-id",
    "atc": "samma ATC-kod och substans",
    "substance": "samma substans",
    "fuzzy": "liknande substansnamn",
    "combination": "kombinationspreparat mot dess delar",
    "split": "flera styrkor mot en rad (total dygnsdos)",
}

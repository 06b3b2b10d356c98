"""Shared builders and readers for the batch and report tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from batch_factory import finding, patient, recon, rejected
from openpyxl import load_workbook

from medrecon.model import Reconciliation

KARIN = "194005121233"  # fictional; valid check digit
OLLE = "191212121212"
ANNA = "195001011237"
NAMES = ("Andersson, Karin", "Berg, Olle", "Ek, Anna")


def night_one() -> Reconciliation:
    """Three patients in two units (one only in Pascal), one of each severity + traps."""
    return recon(
        [
            finding(
                KARIN,
                "dose",
                "high",
                "paracetamol",
                cosmic=["C-1"],
                pascal=["P-1"],
                explanation='=HYPERLINK("http://x";"klicka")',
                cosmic_summary="Alvedon 500 mg · 2 tabletter 3 gånger dagligen",
                pascal_summary="Paracetamol 500 mg · 2 tabletter 2 gånger dagligen",
                hint="Pascal ändrades 2025-11-18, Cosmic senast 2025-03-02: troligen har Cosmic "
                "inte uppdaterats.",
                changed=(dt.datetime(2025, 3, 2, 14, 10), dt.datetime(2025, 11, 18, 8, 30)),
            ),
            finding(KARIN, "missing_in_pascal", "medium", "-warfarin", cosmic=["C-2"]),
            finding(
                OLLE,
                "route",
                "low",
                "@omeprazol",
                pascal=["P-3"],
                explanation="+46 ring\tförskrivaren\x01",
            ),
        ],
        [
            patient(
                KARIN,
                NAMES[0],
                "Hemsjukvård Norr",
                flags=["diazepam"],
                notes=["Diazepam bör undvikas hos äldre."],
            ),
            patient(OLLE, NAMES[1], None),
            patient(ANNA, NAMES[2], "Säbo Syd"),
        ],
        [
            rejected(
                "cosmic", "cosmic.csv", 17, "ogiltigt personnummer 19400512-1235 (kontrollsiffra)"
            )
        ],
    )


def sheet_rows(path: Path, title: str) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """Header and non-empty body rows of one sheet, read back with openpyxl."""
    ws = load_workbook(path)[title]
    rows = list(ws.iter_rows(values_only=True))
    body = [r for r in rows[1:] if any(v is not None for v in r)]
    return list(rows[0]), body


def all_strings(path: Path) -> list[str]:
    """Every text in every cell of the workbook (for privacy checks)."""
    wb = load_workbook(path)
    return [
        str(cell.value)
        for ws in wb
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]

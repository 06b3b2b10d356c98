"""Shared helpers for the store tests: valid fictional ids and hand-built findings."""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from medrecon.model import Reconciliation
from medrecon.schema import FINDING_EXTRA_SCHEMA, FINDING_SCHEMA, PATIENT_SCHEMA

FINDINGS_SCHEMA = {**FINDING_SCHEMA, **FINDING_EXTRA_SCHEMA}


def personnummer(birth: str, serial: str) -> str:
    """A 12-digit personnummer with a correct Luhn check digit (birth YYYYMMDD, serial NNN)."""
    digits = birth[2:] + serial
    total = 0
    for i, ch in enumerate(digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return birth + serial + str((10 - total % 10) % 10)


PATIENT_A = personnummer("19400512", "123")
PATIENT_B = personnummer("19381103", "456")
NAME_A = "Astrid Lindqvist"
NAME_B = "Gösta Bergström"


def finding(
    fid: str,
    patient: str = PATIENT_A,
    *,
    kind: str = "dose",
    substance: str = "metoprolol",
    lineage: str | None = None,
    severity: str = "medium",
) -> dict[str, Any]:
    return {
        "id": fid,
        "patient_id": patient,
        "kind": kind,
        "severity": severity,
        "substance": substance,
        "atc": None,
        "cosmic_ids": ["C1"],
        "pascal_ids": ["P1"],
        "explanation": "Dosen skiljer.",
        "mechanism": "substance",
        "score": 1.0,
        "cosmic_summary": f"{substance} 50 mg",
        "pascal_summary": f"{substance} 100 mg",
        "lineage": lineage or f"lin-{fid}",
    }


def recon(rows: list[dict[str, Any]], patients: dict[str, str] | None = None) -> Reconciliation:
    """A Reconciliation holding ``rows`` as findings; ``patients`` maps id -> name."""
    if patients is None:
        patients = {row["patient_id"]: "Namn Okänd" for row in rows}
    patient_rows = [
        {
            "patient_id": pid,
            "patient_name": name,
            "care_unit": "Hemsjukvården Karlstad",
            "in_cosmic": True,
            "in_pascal": True,
            "incomplete": False,
            "n_cosmic_lines": 3,
            "n_pascal_lines": 3,
            "elderly_flags": [],
            "elderly_notes": [],
        }
        for pid, name in patients.items()
    ]
    return dataclasses.replace(
        Reconciliation.empty(),
        findings=pl.DataFrame(rows, schema=FINDINGS_SCHEMA),
        patients=pl.DataFrame(patient_rows, schema=PATIENT_SCHEMA),
    )

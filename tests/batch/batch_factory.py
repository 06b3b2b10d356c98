"""Hand-built Reconciliation objects with the exact shared schemas (no engine needed)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

import polars as pl

from medrecon.model import Reconciliation
from medrecon.schema import (
    CANONICAL_SCHEMA,
    FINDING_EXTRA_SCHEMA,
    FINDING_SCHEMA,
    MATCH_SCHEMA,
    PATIENT_SCHEMA,
    REJECTED_SCHEMA,
    empty_frame,
)

FINDING_COLUMNS = {**FINDING_SCHEMA, **FINDING_EXTRA_SCHEMA}


def finding(
    patient_id: str,
    kind: str,
    severity: str,
    substance: str | None,
    *,
    cosmic: Iterable[str] = (),
    pascal: Iterable[str] = (),
    explanation: str = "Cosmic och Pascal skiljer sig.",
    cosmic_summary: str | None = None,
    pascal_summary: str | None = None,
    version: str = "",
    hint: str | None = None,
    changed: tuple[dt.datetime | None, dt.datetime | None] = (None, None),
) -> dict[str, Any]:
    """One finding row; ``version`` changes the id but not the lineage (lines changed)."""
    lineage = hashlib.sha256(f"{patient_id}|{kind}|{substance}".encode()).hexdigest()[:16]
    fid = hashlib.sha256(f"{lineage}|{version}".encode()).hexdigest()[:16]
    return {
        "id": fid,
        "patient_id": patient_id,
        "kind": kind,
        "severity": severity,
        "substance": substance,
        "atc": None,
        "cosmic_ids": list(cosmic),
        "pascal_ids": list(pascal),
        "explanation": explanation,
        "mechanism": None,
        "score": None,
        "cosmic_summary": cosmic_summary,
        "pascal_summary": pascal_summary,
        "lineage": lineage,
        "cosmic_changed": changed[0],
        "pascal_changed": changed[1],
        "stale_system": None,
        "related_ids": [],
        "hint": hint,
    }


def patient(
    patient_id: str,
    name: str | None,
    unit: str | None,
    *,
    flags: Iterable[str] = (),
    notes: Iterable[str] = (),
) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "patient_name": name,
        "care_unit": unit,
        "in_cosmic": unit is not None,
        "in_pascal": True,
        "incomplete": False,
        "n_cosmic_lines": 3,
        "n_pascal_lines": 3,
        "elderly_flags": list(flags),
        "elderly_notes": list(notes),
    }


def rejected(source: str, file: str, line: int, reason: str, patient_id: str | None = None):
    return {
        "source": source,
        "file": file,
        "line": line,
        "patient_id": patient_id,
        "reason": reason,
    }


def recon(
    findings: list[dict[str, Any]],
    patients: list[dict[str, Any]],
    rejected_rows: list[dict[str, Any]] | None = None,
) -> Reconciliation:
    return Reconciliation(
        lines=empty_frame(CANONICAL_SCHEMA),
        matches=empty_frame(MATCH_SCHEMA),
        findings=pl.DataFrame(findings, schema=FINDING_COLUMNS),
        patients=pl.DataFrame(patients, schema=PATIENT_SCHEMA),
        rejected=pl.DataFrame(rejected_rows or [], schema=REJECTED_SCHEMA),
    )

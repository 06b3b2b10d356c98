"""The hand-written patients behind the sample exports (fictional people, real products).

The patients live in ``scenarios.toml`` next to this file (data to review, not code);
this module reads them into ``medrecon.synth.scenario.Patient`` and ``Line``. Each planted
case is written on purpose and explained in ``note``; every other line is meant to agree
between the systems even when written differently. ``make_samples.py`` renders these and
writes README.md from the notes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from medrecon.synth.scenario import Line, Patient

SCENARIOS_FILE = Path(__file__).resolve().with_name("scenarios.toml")

_LINE_FIELDS = frozenset(f.name for f in fields(Line))
_PATIENT_FIELDS = frozenset(f.name for f in fields(Patient)) - {"lines"}


@dataclass(frozen=True)
class Scenarios:
    patients: list[Patient]
    notes: dict[str, str]  # "first last" -> why the patient as a whole is interesting


def _checked(table: dict[str, Any], allowed: frozenset[str], what: str) -> dict[str, Any]:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{what}: unknown fields {unknown}")
    return table


def _line(table: dict[str, Any], who: str) -> Line:
    values = _checked(table, _LINE_FIELDS, f"{who}, line {table.get('drug')!r}")
    if "noise" in values:
        values = {**values, "noise": tuple(values["noise"])}
    return Line(**values)


def _patient(table: dict[str, Any]) -> Patient:
    who = f"{table.get('first')} {table.get('last')}"
    values = {k: v for k, v in table.items() if k != "line"}
    values = _checked(values, _PATIENT_FIELDS, who)
    return Patient(**values, lines=[_line(t, who) for t in table.get("line", [])])


def parse_scenarios(text: str) -> Scenarios:
    raw = tomllib.loads(text)
    patients = [_patient(table) for table in raw["patient"]]
    notes = dict(raw.get("patient_notes", {}))
    names = {f"{p.first} {p.last}" for p in patients}
    strays = sorted(set(notes) - names)
    if strays:
        raise ValueError(f"patient_notes for unknown patients: {strays}")
    return Scenarios(patients=patients, notes=notes)


@cache
def load_scenarios(path: Path = SCENARIOS_FILE) -> Scenarios:
    return parse_scenarios(path.read_text(encoding="utf-8"))


PATIENTS: list[Patient] = load_scenarios().patients
# Patient notes for the README (why the patient as a whole is interesting).
PATIENT_NOTES: dict[str, str] = load_scenarios().notes

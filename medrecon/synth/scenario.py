"""Hand-written patient scenarios turned into a plan (used by the sample exports).

A scenario names drugs, strengths, dose patterns and the planted kind in plain words;
``build`` checks each against the templates (so a scenario cannot plant something the
renderer would write differently) and gives the same ``Plan`` the random generator
draws, plus the patients frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from medrecon.synth import plan as P
from medrecon.synth.dosing import parse_pattern
from medrecon.synth.drugs import DRUG_BY_KEY
from medrecon.synth.people import luhn_check_digits
from medrecon.synth.tables import Tables, tables

NOISE_FLAGS = {
    "misspell": P.NOISE_MISSPELL,
    "no_atc": P.NOISE_NO_ATC,
    "no_form": P.NOISE_NO_FORM,
    "no_dispensing": P.NOISE_NO_DISPENSING,
    "abbreviation": P.NOISE_ABBREVIATION,
    "expired": P.NOISE_EXPIRED,
}


@dataclass
class Line:
    drug: str  # template key in drugs.DRUGS
    strength: str  # one of the template's strengths, e.g. "40 mg"
    dose: str  # "1+0+1+0" (a template pattern) | "prn" | "weekly" | "weekly:4" | "special:1"
    kind: str = "clean"  # a key of plan.PLAN_KIND
    side: str = "pascal"  # the side the kind acts on (see plan module docstring)
    cosmic: str | int | None = None  # Cosmic product name or index (default: the first)
    pascal: str | int | None = None  # Pascal product name or index
    csub: int = 0  # substance text variant in Cosmic; -1 = empty column
    psub: int = 0
    cform: int = 0  # equivalent form variant
    pform: int = 0
    ctext: int | None = None  # dosing text variant (default: varies with the line)
    ptext: int | None = None  # Pascal: even = Användning empty beside time columns
    choice: int | None = None
    noise: tuple[str, ...] = ()
    note: str = ""  # what the case is, in plain words (README)


@dataclass
class Patient:
    first: str
    last: str
    born: str  # YYYYMMDD
    serial: int  # birth number, 3 digits
    unit: str
    lines: list[Line] = field(default_factory=list)
    id_kind: str = "pnr"  # pnr | samordning | reserve
    reserve_tail: str = "SF1A"
    cosmic_format: str = "dash"  # dash (YYYYMMDD-NNNN) | plain | short (YYMMDD-NNNN / +)
    pascal_format: str = "plain"  # plain | dash
    missing: str | None = None  # "cosmic" | "pascal": the patient is absent there


def patient_ids(p: Patient) -> tuple[str, str, str]:
    """(canonical, as Cosmic writes it, as Pascal writes it)."""
    date8 = p.born
    if p.id_kind == "reserve":
        canonical = date8 + p.reserve_tail
        return canonical, canonical, canonical
    if p.id_kind == "samordning":
        date8 = date8[:6] + f"{int(date8[6:]) + 60:02d}"
    nine = np.array([[int(c) for c in date8[2:] + f"{p.serial:03d}"]])
    last4 = f"{p.serial:03d}{int(luhn_check_digits(nine)[0])}"
    canonical = date8 + last4
    sep = "+" if int(date8[:4]) <= 1925 else "-"
    cosmic = {
        "dash": f"{date8}-{last4}",
        "plain": canonical,
        "short": f"{date8[2:]}{sep}{last4}",
    }[p.cosmic_format]
    pascal = {"plain": canonical, "dash": f"{date8}-{last4}"}[p.pascal_format]
    return canonical, cosmic, pascal


def _regimen(tab: Tables, line: Line) -> int:
    drug = DRUG_BY_KEY[line.drug]
    t = [d.key for d in tab.drugs].index(line.drug)
    a = tab.arrays
    standing = a["standing_ids"][
        a["standing_offset"][t] : a["standing_offset"][t] + a["standing_count"][t]
    ]
    kinds = [tab.regimens[r] for r in standing]
    if line.dose == "prn":
        if a["t_prn_reg"][t] < 0:
            raise ValueError(f"{line.drug} has no as-needed dosing")
        return int(a["t_prn_reg"][t])
    mode, _, arg = line.dose.partition(":")
    if mode in ("weekly", "special"):
        options = [r for r, reg in zip(standing, kinds, strict=True) if reg.mode == mode]
        if not options:
            raise ValueError(f"{line.drug} has no {mode} dosing")
        return int(options[int(arg or 0)])
    wanted = parse_pattern(line.dose, drug.unit)
    for r, reg in zip(standing, kinds, strict=True):
        if reg == wanted:
            return int(r)
    raise ValueError(f"{line.drug}: pattern {line.dose} is not one of {drug.daily}")


def _product(names: list[str], wanted: str | int | None) -> int:
    if isinstance(wanted, str):
        if wanted not in names:
            raise ValueError(f"product {wanted!r} is not one of {names}")
        return names.index(wanted)
    return wanted or 0


def build(patients: list[Patient]) -> tuple[P.Plan, pl.DataFrame]:
    tab = tables()
    keys = [d.key for d in tab.drugs]
    rows: dict[str, list[int]] = {name: [] for name in P.Plan.__dataclass_fields__}
    counter = 0
    for index, patient in enumerate(patients):
        groups = [
            int(tab.arrays["t_group"][keys.index(x.drug)])
            for x in patient.lines
            if x.kind != "non_prescription"
        ]
        if len(groups) != len(set(groups)):
            raise ValueError(
                f"{patient.first} {patient.last}: two lines of one substance or drug group"
            )
        for line in patient.lines:
            counter += 1
            drug = DRUG_BY_KEY[line.drug]
            t = keys.index(line.drug)
            texts = drug.strengths + drug.extra_strengths
            if line.strength not in texts:
                raise ValueError(f"{line.drug}: strength {line.strength} not in {texts}")
            kind = P.PATIENT_MISSING if patient.missing else P.PLAN_KIND[line.kind]
            side = {"cosmic": 0, "pascal": 1}[patient.missing or line.side]
            regimen = _regimen(tab, line)
            if kind != P.NON_PRESCRIPTION and not patient.missing:
                allowed = P.applicable(tab, np.array([t]), np.array([regimen]))
                if kind in allowed and not allowed[kind][0]:
                    raise ValueError(f"{line.drug}: kind {line.kind} cannot be planted here")
            names = list(drug.products)
            # the strength id of this template (texts repeat across templates)
            start = sum(len(d.strengths) + len(d.extra_strengths) for d in tab.drugs[:t])
            strength_id = start + texts.index(line.strength)
            noise = sum(NOISE_FLAGS[n] for n in line.noise)
            if kind == P.DISPENSING and noise & P.NOISE_NO_DISPENSING:
                raise ValueError(f"{line.drug}: a dispensing difference needs both sides known")
            values = {
                "patient": index,
                "template": t,
                "strength": strength_id,
                "regimen": regimen,
                "kind": kind,
                "side": side,
                "c_product": _product(names, line.cosmic),
                "p_product": _product(names, line.pascal),
                "c_substance": line.csub,
                "p_substance": line.psub,
                "c_form": line.cform,
                "p_form": line.pform,
                "c_text": counter if line.ctext is None else line.ctext,
                "p_text": counter * 3 if line.ptext is None else line.ptext,
                "choice": counter * 7 if line.choice is None else line.choice,
                "noise": noise,
                "start_days": 40 + (counter * 137) % 2400,
                "prescriber": counter * 3,
            }
            for name, value in values.items():
                rows[name].append(int(value))
    plan = P.Plan(**{name: np.array(values, dtype=np.int64) for name, values in rows.items()})
    ids = [patient_ids(p) for p in patients]
    frame = pl.DataFrame(
        {
            "patient_id": [i[0] for i in ids],
            "cosmic_pnr": [i[1] for i in ids],
            "pascal_pnr": [i[2] for i in ids],
            "cosmic_name": [f"{p.last}, {p.first}" for p in patients],
            "pascal_name": [f"{p.first} {p.last}" for p in patients],
            "care_unit": [p.unit for p in patients],
            "birth_year": [int(p.born[:4]) for p in patients],
        }
    )
    return plan, frame

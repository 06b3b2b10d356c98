"""A small, realistic Reconciliation with four fictional patients, built by hand.

Fixed data so snapshots are deterministic: every finding id, name and date is literal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl
from textual.pilot import Pilot

from medrecon.model import Reconciliation
from medrecon.schema import (
    CANONICAL_SCHEMA,
    FINDING_EXTRA_SCHEMA,
    FINDING_SCHEMA,
    MATCH_SCHEMA,
    PATIENT_SCHEMA,
    REJECTED_SCHEMA,
    RESOLVED_EXTRA_SCHEMA,
)

USER = "anna.sjukskoterska"
FROZEN_NOW = datetime(2026, 1, 15, 10, 0)


async def wait_loaded(pilot: Pilot) -> None:
    """Until the load worker finished and its message was handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


LINE_SCHEMA = {**CANONICAL_SCHEMA, **RESOLVED_EXTRA_SCHEMA}
FINDINGS_SCHEMA = {**FINDING_SCHEMA, **FINDING_EXTRA_SCHEMA}

KARIN = "194005121234"
NILS = "193811223340"
MAJA = "194203034567"
SVEN = "193507078888"

NAMES = {
    KARIN: ("Andersson, Karin", "Karin Andersson", "Hemsjukvård Karlstad Norr"),
    NILS: ("Berg, Nils", "Nils Berg", "Hemsjukvård Karlstad Norr"),
    MAJA: ("Lind, Maja", "Maja Lind", "Säffle hemsjukvård"),
    SVEN: ("Ek, Sven", "Sven Ek", "Kil äldreboende"),
}


def _line(source: str, pid: str, line_id: str, n: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(LINE_SCHEMA)
    cosmic_name, pascal_name, unit = NAMES[pid]
    row.update(
        source=source,
        file=f"{source}.csv",
        line=n,
        patient_id=pid,
        patient_name=cosmic_name if source == "cosmic" else pascal_name,
        care_unit=unit if source == "cosmic" else None,
        line_id=line_id,
        status="active",
        order_type="prescription",
        as_needed=False,
        dose_as_needed=False,
        dose_understood=True,
        interval_days=1.0,
        resolution="substance",
        resolution_score=1.0,
        route="oral",
        route_text="Oral",
        start_date=date(2024, 3, 1),
        last_changed=datetime(2025, 10, 2, 14, 31),
        prescriber="Lena Berg",
    )
    row.update(values)
    if row.get("substance") and not row.get("substances"):
        row["substances"] = row["substance"].split(" + ")
    return row


def _drug(substance: str, strength: float, form: str, form_class: str, product: str) -> dict:
    return {
        "substance": substance,
        "substance_text": substance.capitalize(),
        "strength_value": strength,
        "strength_unit": "mg",
        "strength_values": [strength],
        "strength_text": f"{strength:g} mg".replace(".", ","),
        "form_text": form,
        "form_class": form_class,
        "product_text": product,
    }


def _dose(text: str, per_day: float, strength: float, slots: tuple = (None,) * 4) -> dict:
    return {
        "dosing_text": text,
        "daily_units": per_day,
        "daily_amount": per_day * strength,
        "daily_amount_unit": "mg",
        "times_per_day": float(sum(1 for s in slots if s)) or None,
        "slot_morning": slots[0],
        "slot_noon": slots[1],
        "slot_evening": slots[2],
        "slot_night": slots[3],
    }


def _lines() -> list[dict[str, Any]]:
    para_c = _drug("paracetamol", 500, "Filmdragerad tablett", "plain_oral_solid", "")
    para_c["product_text"] = "Alvedon filmdragerad tablett 500 mg"
    para_p = _drug("paracetamol", 500, "Tablett", "plain_oral_solid", "Paracetamol Teva 500 mg")
    meto = _drug("metoprolol", 50, "Depottablett", "modified_release", "Seloken ZOC 50 mg")
    meto_p = _drug("metoprolol", 100, "Depottablett", "modified_release", "Metoprolol 100 mg")
    oxa = _drug("oxazepam", 5, "Tablett", "plain_oral_solid", "Oxascand 5 mg tablett")
    simva = _drug("simvastatin", 20, "Tablett", "plain_oral_solid", "Simvastatin 20 mg")
    omep = _drug("omeprazol", 20, "Enterokapsel", "enteric", "Omeprazol 20 mg enterokapsel")
    nacl = _drug("natriumklorid", 9, "Infusionsvätska", "liquid", "Natriumklorid 9 mg/ml")
    furo_c = _drug("furosemid", 40, "Tablett", "plain_oral_solid", "Furix 40 mg tablett")
    furo_p = _drug("furosemid", 40, "Depotkapsel", "modified_release", "Furosemid 40 mg depot")
    waran = _drug("warfarin", 2.5, "Tablett", "plain_oral_solid", "Waran 2,5 mg tablett")
    alen = _drug("alendronsyra", 70, "Tablett", "plain_oral_solid", "Alendronat 70 mg")
    tram = _drug("tramadol", 50, "Kapsel", "plain_oral_solid", "Tramadol 50 mg kapsel")
    inr = {
        "dosing_text": "Enligt INR",
        "dose_understood": False,
        "dose_marker": "enligt INR",
        "interval_days": None,
    }
    weekly = {**_dose("1 tablett en gång i veckan", 1 / 7, 70), "interval_days": 7.0}
    return [
        # Karin: paracetamol agrees, metoprolol dose differs, oxazepam missing in Pascal,
        # simvastatin missing in Cosmic, omeprazol history, NaCl ward stock.
        _line(
            "cosmic",
            KARIN,
            "C-101",
            2,
            **para_c,
            **_dose("2 tabletter 3 gånger dagligen", 6, 500),
            dispensing="dose",
        ),
        _line(
            "pascal",
            KARIN,
            "P-201",
            2,
            **para_p,
            **_dose("2+2+2+0", 6, 500, (2, 2, 2, None)),
            dose_morning=2.0,
            dose_noon=2.0,
            dose_evening=2.0,
            dispensing="dose",
        ),
        _line(
            "cosmic",
            KARIN,
            "C-102",
            3,
            **meto,
            **_dose("1 tablett på morgonen", 1, 50, (1, None, None, None)),
            dispensing="dose",
        ),
        _line(
            "pascal",
            KARIN,
            "P-202",
            3,
            **meto_p,
            **_dose("1+0+0+0", 1, 100, (1, None, None, None)),
            dose_morning=1.0,
            dispensing="dose",
        ),
        _line(
            "cosmic",
            KARIN,
            "C-103",
            4,
            **oxa,
            dosing_text="1 tablett vid behov, högst 3 per dygn",
            as_needed=True,
            dose_as_needed=True,
            max_per_day=3.0,
            dosing_type="Vid behov",
            dispensing="package",
        ),
        _line(
            "pascal",
            KARIN,
            "P-203",
            4,
            **simva,
            **_dose("1 tablett till natten", 1, 20, (None, None, None, 1)),
            dose_night=1.0,
            dispensing="dose",
        ),
        _line(
            "cosmic",
            KARIN,
            "C-104",
            5,
            **omep,
            **_dose("1 kapsel på morgonen", 1, 20),
            status="ended",
            end_date=date(2025, 6, 1),
        ),
        _line(
            "pascal",
            KARIN,
            "P-204",
            5,
            **omep,
            **_dose("1+0+0+0", 1, 20),
            end_date=date(2025, 6, 1),
            status="ended",
        ),
        _line(
            "cosmic",
            KARIN,
            "C-105",
            6,
            **nacl,
            dosing_text="Enligt ordination",
            dose_understood=False,
            order_type="ward_stock",
            route_text="Intravenös",
            route="intravenous",
        ),
        # Nils: furosemid differs in form and dispensing (two findings on one pair), warfarin
        # agrees, tramadol missing in Pascal (already decided in the store by the tests).
        _line(
            "cosmic",
            NILS,
            "C-201",
            2,
            **furo_c,
            **_dose("1 tablett på morgonen", 1, 40, (1, None, None, None)),
            dispensing="dose",
        ),
        _line(
            "pascal",
            NILS,
            "P-301",
            2,
            **furo_p,
            **_dose("1+0+0+0", 1, 40, (1, None, None, None)),
            dose_morning=1.0,
            dispensing="package",
        ),
        _line("cosmic", NILS, "C-202", 3, **waran, **inr, dispensing="package"),
        _line("pascal", NILS, "P-302", 3, **waran, **inr, dispensing="package"),
        _line(
            "cosmic",
            NILS,
            "C-203",
            4,
            **tram,
            **_dose("1 kapsel 2 gånger dagligen", 2, 50),
            dispensing="dose",
        ),
        # Maja: two agreeing lines, nothing to decide.
        _line(
            "cosmic",
            MAJA,
            "C-301",
            2,
            **para_c,
            **_dose("1 tablett 3 gånger dagligen", 3, 500),
            dispensing="package",
        ),
        _line(
            "pascal",
            MAJA,
            "P-401",
            2,
            **para_p,
            **_dose("1 tablett 3 gånger dagligen", 3, 500),
            dispensing="package",
        ),
        _line("cosmic", MAJA, "C-302", 3, **alen, **weekly, dispensing="package"),
        _line("pascal", MAJA, "P-402", 3, **alen, **weekly, dispensing="package"),
        # Sven: only in Cosmic (patient missing in Pascal); one of his Pascal rows was rejected.
        _line(
            "cosmic",
            SVEN,
            "C-401",
            2,
            **simva,
            **_dose("1 tablett till natten", 1, 20),
            dispensing="dose",
        ),
        _line(
            "cosmic",
            SVEN,
            "C-402",
            3,
            **oxa,
            dosing_text="1 tablett vid behov",
            as_needed=True,
            dose_as_needed=True,
            dosing_type="Vid behov",
            dispensing="package",
        ),
    ]


def _finding(fid: str, pid: str, kind: str, severity: str, substance: str | None,
             c: list[str], p: list[str], explanation: str, mechanism: str | None = None,
             c_sum: str | None = None, p_sum: str | None = None,
             hint: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "id": fid,
        "patient_id": pid,
        "kind": kind,
        "severity": severity,
        "substance": substance,
        "atc": None,
        "cosmic_ids": c,
        "pascal_ids": p,
        "explanation": explanation,
        "mechanism": mechanism,
        "score": 1.0 if mechanism else None,
        "cosmic_summary": c_sum,
        "pascal_summary": p_sum,
        "lineage": "l" + fid[1:],
        "cosmic_changed": datetime(2025, 3, 2, 14, 10) if c else None,
        "pascal_changed": datetime(2025, 11, 18, 8, 30) if p else None,
        "stale_system": "cosmic" if hint else None,
        "related_ids": [],
        "hint": hint,
    }


FINDINGS = [
    _finding("a1b2c3d4e5f60001", KARIN, "dose", "high", "metoprolol", ["C-102"], ["P-202"],
             "Cosmic: 50 mg/dygn, Pascal: 100 mg/dygn. Dosen skiljer sig.", "substance",
             "Seloken ZOC 50 mg · 1 tablett på morgonen", "Metoprolol 100 mg · 1+0+0+0",
             "Pascal ändrades 2025-11-18, Cosmic senast 2025-03-02: troligen har Cosmic inte "
             "uppdaterats."),
    _finding("a1b2c3d4e5f60002", KARIN, "missing_in_cosmic", "high", "simvastatin", [],
             ["P-203"], "Simvastatin finns i Pascal men saknas i Cosmic."),
    _finding("a1b2c3d4e5f60003", KARIN, "missing_in_pascal", "medium", "oxazepam", ["C-103"],
             [], "Oxazepam vid behov finns i Cosmic men saknas i Pascal."),
    _finding("a1b2c3d4e5f60004", NILS, "form", "medium", "furosemid", ["C-201"], ["P-301"],
             "Cosmic: tablett, Pascal: depotkapsel. Beredningsformen skiljer sig.", "substance"),
    _finding("a1b2c3d4e5f60005", NILS, "dispensing", "low", "furosemid", ["C-201"], ["P-301"],
             "Dosdispenserad i Cosmic men helförpackning i Pascal.", "substance"),
    _finding("a1b2c3d4e5f60006", NILS, "missing_in_pascal", "high", "tramadol", ["C-203"], [],
             "Tramadol finns i Cosmic men saknas i Pascal."),
    _finding("a1b2c3d4e5f60007", SVEN, "patient_missing", "high", None, ["C-401", "C-402"], [],
             "Patienten finns i Cosmic men saknas helt i Pascal."),
]  # fmt: skip

MATCHES = [
    (KARIN, ["C-101"], ["P-201"], "paracetamol", "substance", 1.0),
    (KARIN, ["C-102"], ["P-202"], "metoprolol", "substance", 1.0),
    (KARIN, ["C-104"], ["P-204"], "omeprazol", "npl", 1.0),
    (NILS, ["C-201"], ["P-301"], "furosemid", "substance", 1.0),
    (NILS, ["C-202"], ["P-302"], "warfarin", "atc", 1.0),
    (MAJA, ["C-301"], ["P-401"], "paracetamol", "fuzzy", 0.93),
    (MAJA, ["C-302"], ["P-402"], "alendronsyra", "substance", 1.0),
]


def reconciliation() -> Reconciliation:
    lines = pl.DataFrame(_lines(), schema=LINE_SCHEMA)
    matches = pl.DataFrame(
        [
            {"patient_id": p, "cosmic_ids": c, "pascal_ids": q, "substance": s, "atc": None,
             "mechanism": m, "score": sc}
            for p, c, q, s, m, sc in MATCHES
        ],
        schema=MATCH_SCHEMA,
    )  # fmt: skip
    findings = pl.DataFrame(FINDINGS, schema=FINDINGS_SCHEMA)
    patients = pl.DataFrame(
        [
            {"patient_id": KARIN, "patient_name": NAMES[KARIN][0], "care_unit": NAMES[KARIN][2],
             "in_cosmic": True, "in_pascal": True, "incomplete": False, "n_cosmic_lines": 5,
             "n_pascal_lines": 4, "elderly_flags": ["psychotropics"],
             "elderly_notes": ["Oxazepam: högst 30 mg per dygn till personer över 75 år."]},
            {"patient_id": NILS, "patient_name": NAMES[NILS][0], "care_unit": NAMES[NILS][2],
             "in_cosmic": True, "in_pascal": True, "incomplete": False, "n_cosmic_lines": 3,
             "n_pascal_lines": 2, "elderly_flags": ["avoid_tramadol"],
             "elderly_notes": ["Tramadol bör undvikas hos äldre."]},
            {"patient_id": MAJA, "patient_name": NAMES[MAJA][0], "care_unit": NAMES[MAJA][2],
             "in_cosmic": True, "in_pascal": True, "incomplete": False, "n_cosmic_lines": 2,
             "n_pascal_lines": 2, "elderly_flags": [], "elderly_notes": []},
            {"patient_id": SVEN, "patient_name": NAMES[SVEN][0], "care_unit": NAMES[SVEN][2],
             "in_cosmic": True, "in_pascal": False, "incomplete": True, "n_cosmic_lines": 2,
             "n_pascal_lines": 0, "elderly_flags": [], "elderly_notes": []},
        ],
        schema=PATIENT_SCHEMA,
    )  # fmt: skip
    rejected = pl.DataFrame(
        [
            {"source": "pascal", "file": "pascal.csv", "line": 7, "patient_id": SVEN,
             "reason": "dosering saknas (varken Användning eller tidskolumner)"},
            {"source": "cosmic", "file": "cosmic.csv", "line": 9, "patient_id": None,
             "reason": "ogiltigt personnummer 19400512-1235 (kontrollsiffra)"},
        ],
        schema=REJECTED_SCHEMA,
    )  # fmt: skip
    return Reconciliation(
        lines=lines, matches=matches, findings=findings, patients=patients, rejected=rejected
    )


RESERVE = "19330103SX3K"  # a Region Värmland reserve number
PASCAL_ONLY = "193301039876"


def with_extra_patients() -> Reconciliation:
    """The fixture plus a reserve-number patient and a patient known only to Pascal."""
    recon = reconciliation()
    extra = pl.DataFrame(
        {
            "patient_id": [RESERVE, PASCAL_ONLY],
            "patient_name": ["Holm, Olle", "Gun Maria Nyström"],
            "care_unit": ["Kil äldreboende", None],
            "in_cosmic": [True, False],
            "in_pascal": [True, True],
        }
    ).with_columns(
        incomplete=pl.lit(False),
        incomplete_reasons=pl.lit([], pl.List(pl.String)),
        n_cosmic_lines=pl.lit(0, pl.Int64),
        n_pascal_lines=pl.lit(0, pl.Int64),
        elderly_flags=pl.lit([], pl.List(pl.String)),
        elderly_notes=pl.lit([], pl.List(pl.String)),
    )
    recon.patients = pl.concat([recon.patients, extra.select(recon.patients.columns)])
    return recon

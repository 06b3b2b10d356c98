"""Resolved lines built by hand, so the engine is tested without the normaliser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from medrecon.engine import Rules
from medrecon.engine.inputs import RESOLVED_SCHEMA

PATIENT = "194005121234"  # born 1940: elderly
YOUNG = "199001011239"  # born 1990
TODAY = dt.date(2026, 1, 15)


def line(
    source: str,
    line_id: str,
    substance: str | None,
    *,
    patient: str = PATIENT,
    strength: float | None = 500.0,
    unit: str = "mg",
    units_per_day: float | None = 2.0,
    slots: tuple[float | None, float | None, float | None, float | None] | None = None,
    prn: bool = False,
    max_per_day: float | None = None,
    form: str | None = "plain_oral_solid",
    route: str | None = "oral",
    dispensing: str | None = None,
    status: str = "active",
    end_date: dt.date | None = None,
    order_type: str = "prescription",
    atc: str | None = None,
    npl: str | None = None,
    understood: bool = True,
    dosing_text: str | None = None,
    interval: float | None = 1.0,
    product: str | None = None,
    substance_text: str | None = None,
    substances: list[str] | None = None,
    strength_values: list[float] | None = None,
    conflict: bool = False,
    columns: tuple[float | None, float | None, float | None, float | None] | None = None,
) -> dict[str, Any]:
    """One resolved line; the daily amount follows from units per day and strength."""
    if substances is None:
        substances = [] if substance is None else substance.split(" + ")
    if strength_values is None:
        strength_values = [] if strength is None else [strength]
    daily_units = units_per_day if (understood and not prn) else None
    daily_amount = (
        daily_units * strength if daily_units is not None and strength is not None else None
    )
    if dosing_text is None:
        dosing_text = f"{units_per_day} tablett dagligen" if not prn else "1 tablett vid behov"
    if slots is None and not prn and units_per_day is not None and understood:
        slots = (units_per_day, None, None, None)
    slots = slots or (None, None, None, None)
    columns = columns or (None, None, None, None)
    return {
        "source": source,
        "file": f"{source}.csv",
        "line": 2,
        "patient_id": patient,
        "patient_name": "Test, Testa",
        "care_unit": "Hemsjukvård Test" if source == "cosmic" else None,
        "line_id": line_id,
        "product_text": product or f"{(substance or substance_text or 'okänt').title()} 500 mg",
        "substance_text": substance_text if substance_text is not None else substance,
        "strength_text": None if strength is None else f"{strength:g} {unit}",
        "form_text": "Tablett",
        "route_text": "Oral",
        "dosing_text": dosing_text,
        "dose_morning": columns[0],
        "dose_noon": columns[1],
        "dose_evening": columns[2],
        "dose_night": columns[3],
        "as_needed": prn,
        "dosing_type": "Vid behov" if prn else "Stående",
        "dispensing": dispensing,
        "status": status,
        "order_type": order_type,
        "end_date": end_date,
        "atc": atc,
        "npl_id": npl,
        "substances": substances,
        "duplicate_substances": substances,
        "substance": substance,
        "resolved_atc": atc,
        "resolution": "substance" if substance else "unresolved",
        "resolution_score": 1.0 if substance else None,
        "strength_value": strength,
        "strength_unit": unit if strength is not None else None,
        "strength_values": strength_values,
        "form_class": form,
        "form_source": "written" if form not in (None, "unknown") else None,
        "route": route,
        "dose_understood": understood,
        "dose_amount_min": 1.0 if understood else None,
        "dose_amount_max": 1.0 if understood else None,
        "dose_unit": "tablett" if understood else None,
        # with slots, the number of times is the number of dispensing times used
        "times_per_day": (
            (sum(1 for v in slots if v) if any(slots) else units_per_day) if understood else None
        ),
        # without times of day the line reads like "2 tabletter dagligen": a daily total
        "times_stated": understood and not prn and slots != (None, None, None, None),
        "slot_morning": slots[0],
        "slot_noon": slots[1],
        "slot_evening": slots[2],
        "slot_night": slots[3],
        "interval_days": interval if understood and not prn else None,
        "dose_as_needed": prn,
        "max_per_day": max_per_day,
        "max_unit": None,
        "laterality": 1,
        "daily_units": daily_units,
        "daily_units_min": daily_units,
        "dose_course_days": None,
        "dose_has_steps": False,
        "extra_as_needed": False,
        "daily_amount": daily_amount,
        "daily_amount_min": daily_amount,
        "daily_amount_unit": unit if daily_amount is not None else None,
        "max_amount": (max_per_day * strength if strength else max_per_day)
        if max_per_day
        else None,
        "max_amount_unit": (unit if strength else "tablett") if max_per_day else None,
        "dose_amount": strength if understood and strength is not None else None,
        "dose_amount_low": strength if understood and strength is not None else None,
        "dose_amount_unit": unit if understood and strength is not None else None,
        "dose_text_conflict": conflict,
    }


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return (
        pl.DataFrame(rows, schema=RESOLVED_SCHEMA) if rows else pl.DataFrame(schema=RESOLVED_SCHEMA)
    )


def c(line_id: str, substance: str | None, **kw: Any) -> dict[str, Any]:
    return line("cosmic", line_id, substance, **kw)


def p(line_id: str, substance: str | None, **kw: Any) -> dict[str, Any]:
    return line("pascal", line_id, substance, **kw)


_RULES: Rules | None = None


def rules() -> Rules:
    global _RULES
    if _RULES is None:
        _RULES = Rules.load()
    return _RULES


def run(cosmic: list[dict[str, Any]], pascal: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    from medrecon.engine import reconcile

    return reconcile(frame(cosmic), frame(pascal), rules=rules(), as_of=TODAY)


def kinds(result) -> list[tuple[str, str | None, list[str], list[str]]]:  # type: ignore[no-untyped-def]
    """(kind, substance, cosmic_ids, pascal_ids) of every finding, sorted."""
    rows = result.findings.select("kind", "substance", "cosmic_ids", "pascal_ids").rows()
    return sorted((k, s, list(ci), list(pi)) for k, s, ci, pi in rows)

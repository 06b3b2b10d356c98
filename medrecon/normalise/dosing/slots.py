"""Pascal's four time columns (Morgon, Middag, Kväll, Natt) as a ``DoseReading``."""

from __future__ import annotations

import math

from medrecon.normalise.dose_model import DoseReading


def _slot_amount(value: float | None) -> float | None:
    """A time column's amount: empty, NaN and 0 mean none; a negative amount is unreadable."""
    if value is None:
        return 0.0
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(amount):
        return 0.0
    return amount if 0 <= amount < math.inf else None


def dose_from_slots(
    morning: float | None,
    noon: float | None,
    evening: float | None,
    night: float | None,
    as_needed: bool = False,
    text: str = "",
    *,
    unit: str | None = None,
) -> DoseReading:
    """Pascal's time columns as a reading.

    Gives the same times per day, slots and daily units as the equivalent text: columns
    1, -, 1, - read like "1+0+1+0" and "1 tablett morgon och kväll". The columns carry no
    unit, so ``unit`` stays None unless the caller knows it (e.g. from the dosing text).
    ``text`` is kept as the reading's text. All columns empty: not understood. An
    as-needed line with columns is an as-needed dose at those times, with no maximum.
    """
    amounts = [_slot_amount(v) for v in (morning, noon, evening, night)]
    given = [a for a in amounts if a]
    if any(a is None for a in amounts) or not given:
        return DoseReading(text=text, understood=False)
    slots = (amounts[0] or 0.0, amounts[1] or 0.0, amounts[2] or 0.0, amounts[3] or 0.0)
    per_day = sum(slots)
    return DoseReading(
        text=text,
        understood=True,
        amount_min=min(given),
        amount_max=max(given),
        unit=unit,
        times_per_day=None if as_needed else float(len(given)),
        times_stated=not as_needed,
        slots=slots,
        interval_days=None if as_needed else 1.0,
        as_needed=as_needed,
        daily_units=None if as_needed else per_day,
        daily_units_min=None if as_needed else per_day,
    )

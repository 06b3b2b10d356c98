"""Two statements of the same dose joined into one ("1x2 (morgon och kväll)", "500 mg x 2
(1 tablett morgon och kväll)"), or refused when they contradict each other ("1 tablett
dagligen (1+0+1+0)").
"""

from __future__ import annotations

import math
from dataclasses import replace

from medrecon.normalise.dosing.layout import Slots, rescale
from medrecon.normalise.dosing.statement import Statement


def _pick(a: float | None, b: float | None) -> tuple[bool, float | None]:
    if a is None or b is None:
        return True, a if b is None else b
    return math.isclose(a, b, rel_tol=1e-6), a


def combine(main: Statement, other: Statement) -> Statement | None:
    """One statement from two of the same dose, or None when they contradict each other.

    ``other`` restates ``main``: in parentheses, after "dvs" or "=", or as a shorthand
    beside the words. An amount in another unit ("2 ml (20 mg)") is an equivalent of the
    main amount and not compared; an amount in the same unit must be equal, unless one side
    only said "dagligen" and the daily totals agree ("2 tabletter dagligen (1 morgon + 1
    kväll)").
    """
    if other.as_needed and not main.as_needed and main.has_schedule:
        return None
    amount = _amounts(main, other)
    if amount is None:
        return None
    lo, hi, unit, use_other_schedule = amount
    times_ok, times = _times(main, other, use_other_schedule)
    if not times_ok:
        return None
    found_slots = _slots(main, other, hi, unit)
    if found_slots is False:
        return None
    slots = found_slots if isinstance(found_slots, tuple) else None
    interval_ok, interval = _pick(main.interval_days, other.interval_days)
    if not interval_ok:
        if main.interval_days == 1.0 and other.weekdays and not main.weekdays:
            interval = other.interval_days
        else:
            return None
    if main.weekdays and other.weekdays and set(main.weekdays) != set(other.weekdays):
        return None
    if slots is not None and times is not None and sum(1 for v in slots if v) != times:
        return None
    max_ok, maximum = _pick(main.max_per_day, other.max_per_day)
    if not max_ok and main.max_unit == other.max_unit:
        maximum = min(main.max_per_day or 0, other.max_per_day or 0)
    duration_ok, duration = _pick(main.duration_days, other.duration_days)
    if not duration_ok:
        return None
    if main.laterality and other.laterality and main.laterality != other.laterality:
        return None
    source = other if use_other_schedule else main
    return replace(
        main,
        amount_min=lo,
        amount_max=hi,
        unit=unit,
        per_day=_per_day(source, main, other, slots, hi),
        per_day_min=_per_day(source, main, other, slots, lo),
        slots=slots,
        times_per_day=times,
        times_min=main.times_min if main.times_min is not None else other.times_min,
        times_implicit=main.times_implicit and other.times_implicit,
        interval_days=interval if interval is not None else main.interval_days,
        weekdays=main.weekdays or other.weekdays,
        as_needed=main.as_needed or other.as_needed,
        max_per_day=maximum,
        max_unit=main.max_unit if main.max_per_day is not None else other.max_unit,
        max_per_week=main.max_per_week if main.max_per_week is not None else other.max_per_week,
        duration_days=duration,
        laterality=main.laterality or other.laterality,
        markers=main.markers + other.markers,
    )


def _per_day(
    source: Statement, main: Statement, other: Statement, slots: Slots | None, amount: float | None
) -> float | None:
    """Units per dosing day after combining: from the slots when they were scaled."""
    if slots is not None and amount is not None and source.per_day is None:
        return sum(amount if v else 0.0 for v in slots)
    if source.per_day is not None and (source is main or main.unit in (None, other.unit)):
        return source.per_day if amount == source.amount_max else source.per_day_min
    return None


def _daily(s: Statement) -> float | None:
    if s.amount_max is None:
        return None
    if s.slots is not None:
        return sum(s.slots)
    if s.times_per_day is None:
        return None
    return s.amount_max * s.times_per_day


def _amounts(
    main: Statement, other: Statement
) -> tuple[float | None, float | None, str | None, bool] | None:
    """(lower, upper, unit, take other's schedule) of two statements, or None if they differ."""
    if not other.has_amount:
        return main.amount_min, main.amount_max, main.unit, False
    if not main.has_amount:
        return other.amount_min, other.amount_max, other.unit, True
    if main.unit and other.unit and main.unit != other.unit:
        return main.amount_min, main.amount_max, main.unit, False  # an equivalent amount
    unit = main.unit or other.unit
    same_lo, _ = _pick(main.amount_min, other.amount_min)
    same_hi, _ = _pick(main.amount_max, other.amount_max)
    if same_lo and same_hi:
        return main.amount_min, main.amount_max, unit, False
    # "2 tabletter dagligen (1 morgon + 1 kväll)": a daily total and its distribution
    if main.times_implicit or other.times_implicit:
        ok, _ = _pick(_daily(main), _daily(other))
        if ok and _daily(main) is not None:
            explicit = other if main.times_implicit else main
            return explicit.amount_min, explicit.amount_max, unit, explicit is other
    return None


def _times(main: Statement, other: Statement, use_other: bool) -> tuple[bool, float | None]:
    if use_other and other.times_per_day is not None:
        return True, other.times_per_day
    if main.times_implicit and other.times_per_day is not None and not other.times_implicit:
        return True, other.times_per_day if use_other else main.times_per_day
    if other.times_implicit and main.times_per_day is not None:
        return True, main.times_per_day
    return _pick(main.times_per_day, other.times_per_day)


def _slots(
    main: Statement, other: Statement, hi: float | None, unit: str | None
) -> Slots | bool | None:
    """The times of day of both; slots said in another unit are scaled to the main amount."""
    if main.slots is None and other.slots is None:
        return None
    if main.slots is not None and main.amount_max is None:
        # "morgon och kväll (1 tablett)": the times came without an amount
        if hi is None:
            return main.slots
        scaled_main = rescale(main.slots, hi)
        if scaled_main is None:
            return False
        main = replace(main, slots=scaled_main, amount_max=hi)
    if other.slots is None:
        return main.slots
    same_unit = other.unit is None or unit is None or other.unit == unit
    theirs = other.slots
    if not same_unit or (other.amount_max is None and hi is not None):
        if hi is None:
            return False
        scaled = rescale(theirs, hi)
        if scaled is None:
            return False
        theirs = scaled
    if main.slots is None:
        comparable = main.amount_max is not None and same_unit and other.amount_max is not None
        if (
            comparable
            and main.amount_max is not None
            and not math.isclose(max(theirs), main.amount_max)
            and not main.times_implicit
        ):
            return False
        return theirs
    if [bool(v) for v in main.slots] != [bool(v) for v in theirs]:
        return False
    if same_unit and any(not math.isclose(a, b) for a, b in zip(main.slots, theirs, strict=True)):
        return False
    return main.slots

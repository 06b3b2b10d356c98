"""The second half of the dosing grammar: facts -> one statement of a dose, or nothing.

``resolve`` checks that the facts of a clause fit together into one schedule: every
construction that says how often proposes a value and they must all agree ("2 gånger
dagligen" and "morgon och kväll"); anything that does not fit makes the clause not
understood (None) rather than read one way of several. ``restatement.combine`` joins two
statements of the same dose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from medrecon.normalise.dosing.facts import Amount, Facts
from medrecon.normalise.dosing.layout import Layout, Slots, layout_of

# Sanity limits: beyond these a number is a typing error, not a dose.
MAX_AMOUNT = 1_000_000.0
MAX_TIMES_PER_DAY = 24.0
MAX_INTERVAL_DAYS = 366.0
MAX_DURATION_DAYS = 3660.0


@dataclass(frozen=True)
class Statement:
    """What one clause (or one restatement of it) says about a dose; fields may be unknown."""

    amount_min: float | None = None
    amount_max: float | None = None
    unit: str | None = None
    slots: Slots | None = None
    times_per_day: float | None = None  # upper end of a frequency range
    times_min: float | None = None  # lower end of a frequency range ("1-3 gånger")
    times_implicit: bool = False  # only "dagligen": one administration, or a daily total
    per_day: float | None = None  # units per dosing day, when the times of day name them
    per_day_min: float | None = None
    interval_days: float | None = None
    weekdays: tuple[str, ...] = ()
    as_needed: bool = False
    max_per_day: float | None = None
    max_unit: str | None = None  # None: the dose's own unit
    max_per_week: float | None = None
    duration_days: float | None = None
    laterality: int | None = None
    once: bool = False
    amountless: bool = False
    markers: tuple[str, ...] = ()

    @property
    def has_amount(self) -> bool:
        return self.amount_max is not None

    @property
    def has_schedule(self) -> bool:
        return self.times_per_day is not None or self.interval_days is not None


def _one(values: list[float]) -> tuple[bool, float | None]:
    """(True, the value all sources agree on or None if none); (False, None) if they differ."""
    if not values:
        return True, None
    first = values[0]
    if all(math.isclose(v, first, rel_tol=1e-6) for v in values):
        return True, first
    return False, None


def resolve(facts: Facts) -> Statement | None:
    """One statement from the facts of a clause, or None when they do not make one."""
    if facts.uncertain or len(facts.durations) > 1 or len(facts.laterality) > 1:
        return None
    if facts.shorthand and any(isinstance(item, Amount) for item in facts.sequence):
        return _two_statements(facts)
    layout = layout_of(facts)
    if layout is None:
        return None
    return _statement(facts, layout)


def _two_statements(facts: Facts) -> Statement | None:
    """ "1 tablett 3 gånger dagligen, 1+1+1": the shorthand restates the text."""
    text_facts = replace(facts, shorthand=[])
    shorthand_facts = replace(facts, sequence=[])
    first, second = resolve(text_facts), resolve(shorthand_facts)
    if first is None or second is None:
        return None
    # restatement builds on Statement, so it is imported here rather than at the top
    from medrecon.normalise.dosing.restatement import combine

    return combine(first, second)


def _statement(facts: Facts, layout: Layout) -> Statement | None:
    lo, hi, unit, slots = layout.lo, layout.hi, layout.unit, layout.slots
    if lo is None and facts.implied_units:
        lo, hi, unit = 1.0, 1.0, facts.implied_units[0]  # "Byt plåster varje måndag"
    period = _period(facts)
    if period is False:
        return None
    times_sources = list(facts.fixed_times)
    interval_sources = list(facts.intervals)
    if layout.count is not None:
        times_sources.append(layout.count)
    if facts.weekdays:
        interval_sources.append(7 / len(facts.weekdays))
    if facts.except_days:
        kept = 7 - len(facts.except_days)
        if kept <= 0 or facts.weekdays:
            return None
        interval_sources = [i for i in interval_sources if i != 1.0] + [7 / kept]
        weekdays_from_except = True
    else:
        weekdays_from_except = False
    max_times = list(facts.max_times)
    times_min: float | None = None
    for h_lo, h_hi in facts.hour_ranges:  # "var 4-6 timme": 4 to 6 a day
        if facts.as_needed:
            max_times.append(24 / h_lo)
        else:
            times_sources.append(24 / h_lo)
            times_min = 24 / h_hi
    if len(facts.freqs) > 1 and not _same(facts.freqs):
        return None
    freq = facts.freqs[0] if facts.freqs else None
    if freq is not None:
        f_lo, f_hi = freq
        if period == "week":  # "2 gånger i veckan": every 3.5 days
            if f_lo != f_hi or f_hi == 0:
                return None
            interval_sources.append(7 / f_hi)
        elif period == "month":
            if f_lo != f_hi or f_hi == 0:
                return None
            interval_sources.append(30 / f_hi)
        elif period == "year":
            if f_lo != f_hi or f_hi == 0:
                return None
            interval_sources.append(365 / f_hi)
        elif facts.as_needed and (period == "day" or period is None):
            max_times.append(f_hi)  # "1 tablett vid behov 3 gånger dagligen": at most 3
        elif period is None and facts.counted_times and not interval_sources:
            return None  # "1 tablett 2 gånger": per day, per week or in all?
        else:
            times_sources.append(f_hi)
            if f_lo != f_hi:
                times_min = f_lo
    elif period in ("week", "month", "year"):
        interval_sources.append({"week": 7.0, "month": 30.0, "year": 365.0}[period])
    times_implicit = False
    if period == "day" and not weekdays_from_except:
        interval_sources.append(1.0)
        if not times_sources and freq is None:
            times_implicit = True
    for n in facts.distributed:  # "4 tabletter per dygn fördelat på 2 doser"
        if lo is None or hi is None or slots is not None or not n:
            return None
        lo, hi = lo / n, hi / n
        times_sources.append(n)
        times_implicit = False
    agreed_times, times = _one(times_sources)
    agreed_interval, interval = _one(interval_sources)
    if not (agreed_times and agreed_interval):
        return None
    if facts.as_needed:
        # "1 tablett var 4:e timme vid smärta": at most 6 a day. A time of day ("till
        # natten vid behov") says when, not how many.
        max_times += facts.fixed_times
        times, times_min, interval = None, None, None
    else:
        if times is None and interval is not None:
            times = 1.0  # "1 tablett dagligen", "varannan dag", "måndagar och torsdagar"
            times_implicit = times_implicit or not facts.weekdays
        if times is not None and interval is None:
            interval = 1.0  # "1x2", "1+0+1+0", "på morgonen" are daily
    if facts.once and times is None and not facts.as_needed:
        times, interval = 1.0, 1.0  # "Laddningsdos 600 mg"
    if not _sane(lo, hi, times, interval, facts):
        return None
    maximum, max_unit = _maximum(facts, max_times, hi, unit)
    if maximum is False:
        return None
    if unit is None and facts.max_units and facts.max_units[0][1] is not None:
        max_unit_only = facts.max_units[0][1]
        if max_unit_only in ("tablett", "kapsel") and lo is not None:
            unit = max_unit_only  # "2 vid behov, högst 8 tabletter per dygn"
            max_unit = None
    return Statement(
        amount_min=lo,
        amount_max=hi,
        unit=unit,
        slots=slots if slots is not None and any(slots) else None,
        times_per_day=times,
        times_min=times_min,
        times_implicit=times_implicit and times == 1.0,
        per_day=None if facts.distributed else layout.per_day,
        per_day_min=None if facts.distributed else layout.per_day_min,
        interval_days=interval,
        weekdays=facts.weekday_list if not weekdays_from_except else _kept(facts),
        as_needed=facts.as_needed,
        max_per_day=maximum if isinstance(maximum, float) else None,
        max_unit=max_unit,
        max_per_week=facts.max_per_week[0] if facts.max_per_week else None,
        duration_days=facts.durations[0] if facts.durations else None,
        laterality=next(iter(facts.laterality), None),
        once=facts.once,
        amountless=facts.amountless,
        markers=tuple(facts.markers),
    )


def _kept(facts: Facts) -> tuple[str, ...]:
    order = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
    return tuple(d for d in order if d not in facts.except_days)


def _same(freqs: list[tuple[float, float]]) -> bool:
    return all(f == freqs[0] for f in freqs)


def _period(facts: Facts) -> str | bool | None:
    """The one period the clause names ("dagligen", "i veckan"), None, or False if several."""
    periods = set(facts.periods)
    if len(periods) > 1:
        return False
    return next(iter(periods), None)


def _maximum(
    facts: Facts, max_times: list[float], hi: float | None, unit: str | None
) -> tuple[float | bool | None, str | None]:
    """The most per day: stated ("högst 8 tabletter") or derived ("högst 3 gånger" x dose).

    Several limits in one unit: the smallest holds ("max 3 gånger per dygn, minst 4 timmar
    mellan doserna"). A stated limit in another unit than the dose ("max 4 g/dygn" for
    tablets) is kept in its own unit. Returns (False, None) for limits that cannot be
    combined.
    """
    in_dose_unit: list[float] = []
    other: dict[str, float] = {}
    for value, max_unit in facts.max_units:
        if max_unit is None or max_unit == unit:
            in_dose_unit.append(value)
        else:
            other[max_unit] = min(value, other.get(max_unit, value))
    if max_times:
        if hi is None:
            if unit is None and not facts.max_units:
                return None, None  # "högst 3 gånger per dygn" without an amount
        else:
            in_dose_unit += [hi * times for times in max_times]
    if in_dose_unit:
        if other:
            return False, None
        return float(min(in_dose_unit)), None
    if len(other) > 1:
        return False, None
    if other:
        ((max_unit, value),) = other.items()
        return float(value), max_unit
    return None, None


def _sane(
    lo: float | None, hi: float | None, times: float | None, interval: float | None, facts: Facts
) -> bool:
    """Numbers a prescriber could have meant (no zero dose, no 100 times a day)."""
    if lo is not None and hi is not None and not 0 < lo <= hi <= MAX_AMOUNT:
        return False
    if times is not None and not 0 < times <= MAX_TIMES_PER_DAY:
        return False
    if interval is not None and not 0 < interval <= MAX_INTERVAL_DAYS:
        return False
    if any(not 0 < d <= MAX_DURATION_DAYS for d in facts.durations):
        return False
    if any(not 0 < t <= MAX_TIMES_PER_DAY for t in facts.max_times):
        return False
    return all(0 < v <= MAX_AMOUNT for v, _ in facts.max_units)


# --- two statements of one dose -----------------------------------------------------------

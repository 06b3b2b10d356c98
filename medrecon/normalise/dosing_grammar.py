"""The grammar of one dosing clause: tokens -> facts -> one dose step, or nothing.

A clause is a dosing text without "sedan" ("2 tabletter 3 gånger dagligen i 3 dagar").
``scan`` (in ``dosing_facts``) lists what the clause says (amounts, parts of the day, how
often, as-needed, maximum, ...) without judging it; ``resolve`` checks that the facts fit
together into one schedule and computes the derived numbers. Anything that does not fit
(two amounts without parts of day, "2 gånger" and "morgon och kväll" disagreeing, a
leftover number or a word such as "eller" or "vecka") makes the clause not understood:
``resolve`` returns None rather than pick one reading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from medrecon.normalise.dosing_facts import MARKER_MIXED, Amount, Facts, scan

__all__ = [
    "MARKER_MIXED",
    "MAX_AMOUNT",
    "MAX_DURATION_DAYS",
    "MAX_INTERVAL_DAYS",
    "MAX_TIMES_PER_DAY",
    "Amount",
    "Facts",
    "Layout",
    "Slots",
    "Step",
    "resolve",
    "scan",
]

# Sanity limits: beyond these a number is a typing error, not a dose.
MAX_AMOUNT = 1_000_000.0
MAX_TIMES_PER_DAY = 24.0
MAX_INTERVAL_DAYS = 366.0
MAX_DURATION_DAYS = 3660.0


@dataclass(frozen=True)
class Step:
    """One understood dose step (the fields of ``DoseReading`` except text and steps)."""

    amount_min: float | None
    amount_max: float | None
    unit: str | None
    times_per_day: float | None
    slots: tuple[float, float, float, float] | None
    interval_days: float | None
    weekdays: tuple[str, ...]
    as_needed: bool
    max_per_day: float | None
    duration_days: float | None
    daily_units: float | None


def _one(values: list[float]) -> tuple[bool, float | None]:
    """(True, the value all sources agree on or None if none); (False, None) if they differ."""
    if not values:
        return True, None
    first = values[0]
    if all(math.isclose(v, first) for v in values):
        return True, first
    return False, None


def resolve(facts: Facts, previous: Step | None) -> Step | None:
    """One step from the facts of a clause, or None when they do not make one reading.

    ``previous`` is the step before "sedan": a later step may leave out the amount
    ("..., sedan 2 gånger dagligen") or the schedule ("..., sedan 1 tablett").
    """
    if facts.uncertain or len(facts.durations) > 1 or len(facts.periods) > 1:
        return None
    layout = _layout(facts)
    if layout is None:
        return None
    lo, hi, unit, slots, per_day, count = layout

    # Every construction that says how often proposes a value; they must all agree.
    times_sources = list(facts.times)
    interval_sources = list(facts.intervals)
    if count is not None:
        times_sources.append(count)
    if facts.weekdays:
        interval_sources.append(7 / len(facts.weekdays))
    period = next(iter(facts.periods), None)
    max_times = list(facts.max_times)
    if len(facts.freqs) > 1:
        return None
    if facts.freqs:
        f_lo, f_hi = facts.freqs[0]
        if period == "week":  # "2 gånger i veckan": every 3.5 days
            if f_lo != f_hi or f_hi == 0:
                return None
            interval_sources.append(7 / f_hi)
        elif period is None and not interval_sources:
            return None  # "2 gånger" without per day or per week
        elif f_lo == f_hi:
            times_sources.append(f_hi)
        elif facts.as_needed and period == "day":
            max_times.append(f_hi)  # "vid behov 1-3 gånger dagligen": at most 3 times
        else:
            return None  # a range of times is not one standing schedule
    elif period == "week":
        interval_sources.append(7.0)  # "1 tablett i veckan"
    if period == "day":
        interval_sources.append(1.0)

    agreed_times, times = _one(times_sources)
    agreed_interval, interval = _one(interval_sources)
    if not (agreed_times and agreed_interval):
        return None
    if times is None and interval is not None:
        times = 1.0  # "1 tablett dagligen", "varannan dag", "måndagar och torsdagar"
    if times is not None and interval is None:
        interval = 1.0  # "1x2", "1+0+1+0", "på morgonen" are daily

    # Ellipsis after "sedan": the amount or the schedule of the step before carries over.
    if previous is not None and lo is None:
        if previous.slots is not None and previous.amount_min != previous.amount_max:
            return None  # "1 morgon, 2 kväll, sedan 1 gång dagligen": which amount?
        lo, hi, unit = previous.amount_min, previous.amount_max, previous.unit
    if lo is None or hi is None:
        return None  # no amount: "enligt ordination", "morgon och kväll"
    if times is None and not facts.as_needed and previous is not None:
        times, interval = previous.times_per_day, previous.interval_days
        if previous.slots is not None:
            slots = _rescale(previous.slots, hi)
            if slots is None:
                return None
    if times is None and not facts.as_needed:
        return None  # an amount without a schedule: "1 tablett"
    if not _sane(lo, hi, times, interval, facts):
        return None

    if slots is not None:
        per_day = sum(slots)
    elif per_day is None and times is not None:
        per_day = hi * times
    agreed_max, maximum = _maximum(facts, max_times, hi, unit, per_day if interval == 1 else None)
    if not agreed_max:
        return None
    if unit is None and facts.max_units:
        unit = facts.max_units[0][1]  # "2 vid behov, högst 8 tabletter per dygn"
    daily = None
    if not facts.as_needed and per_day is not None and interval is not None:
        daily = per_day / interval
    return Step(
        amount_min=lo,
        amount_max=hi,
        unit=unit,
        times_per_day=times,
        slots=slots,
        interval_days=interval,
        weekdays=facts.weekday_list,
        as_needed=facts.as_needed,
        max_per_day=maximum,
        duration_days=facts.durations[0] if facts.durations else None,
        daily_units=daily,
    )


Slots = tuple[float, float, float, float]
# lower, upper, unit, slots, units per dosing day, administrations per dosing day
Layout = tuple[float | None, float | None, str | None, Slots | None, float | None, float | None]


def _layout(facts: Facts) -> Layout | None:
    """Amount, unit, slots and units per dosing day from the amounts and parts of day.

    Returns (lower, upper, unit, slots, units per dosing day, administrations per dosing
    day); all None when the clause has no amount; None when amounts and parts do not pair.
    """
    sequence = facts.sequence
    if facts.shorthand:
        if len(facts.shorthand) == 1 and _is_sum(facts.shorthand[0][0], sequence):
            # "1 + ½ tablett på morgonen": one amount of 1.5 at one time of day
            values, unit = facts.shorthand[0]
            slots = [0.0, 0.0, 0.0, 0.0]
            part = sequence[0]
            assert isinstance(part, int)  # checked by _is_sum
            slots[part] = sum(values)
            return sum(values), sum(values), unit, _four(slots), None, 1.0
        if sequence or len(facts.shorthand) > 1:
            return None  # "1+0+1 morgon" or two shorthands: which one holds?
        values, unit = facts.shorthand[0]
        given = [v for v in values if v]
        if not given:
            return None
        count = float(len(given))
        if len(values) == 2:  # "1+1": two doses a day, but which parts of the day is unsaid
            return min(given), max(given), unit, None, sum(values), count
        # three numbers are morning, noon, evening: pad with an empty night
        return min(given), max(given), unit, _four([*values, 0.0]), None, count
    amounts = [item for item in sequence if not isinstance(item, int)]
    if len(amounts) == len(sequence):
        if not amounts:
            return None, None, None, None, None, None
        if len(amounts) > 1:
            return None  # "1 tablett 2 3": which number is the dose?
        lo, hi, unit = amounts[0]
        return lo, hi, unit, None, None, None
    # Amounts with parts of the day: "1 tablett morgon och kväll", "1 morgon 2 kväll" or,
    # parts first, "morgon 1, kväll 2". Each amount belongs to its own group of parts.
    groups: list[tuple[Amount, list[int]]] = []
    pending: list[int] = []
    amount_first = not isinstance(sequence[0], int)
    for item in sequence:
        if isinstance(item, int):
            (groups[-1][1] if amount_first else pending).append(item)
        elif amount_first:
            groups.append((item, []))
        elif not pending:
            return None  # "morgon 1 2"
        else:
            groups.append((item, pending))
            pending = []
    if pending or not groups or any(not parts for _, parts in groups):
        return None
    slots = [0.0, 0.0, 0.0, 0.0]
    seen: set[int] = set()
    for (_, hi, _), parts in groups:
        for part in parts:
            if part in seen:
                return None  # the same dispensing time named twice
            seen.add(part)
            slots[part] = hi
    units = {unit for (_, _, unit), _ in groups if unit}
    if len(units) > 1:
        return None  # "1 tablett morgon och 10 ml kväll"
    lo = min(amount[0] for amount, _ in groups)
    hi = max(amount[1] for amount, _ in groups)
    return lo, hi, (units.pop() if units else None), _four(slots), None, float(len(seen))


def _is_sum(values: list[float], sequence: list[Amount | int]) -> bool:
    """ "1 + ½" before one time of day is a sum: a whole number plus a part of a tablet.

    "1+1 morgon" stays unread (two times of day or two tablets in the morning?).
    """
    if len(values) != 2 or len(sequence) != 1 or not isinstance(sequence[0], int):
        return False
    whole, part = values
    return whole >= 1 and whole == int(whole) and 0 < part < 1


def _four(values: list[float]) -> Slots:
    return (values[0], values[1], values[2], values[3])


def _rescale(slots: Slots, amount: float) -> Slots | None:
    """The same parts of the day with a new amount, when the old amount was the same in all."""
    given = {v for v in slots if v}
    if len(given) != 1:
        return None
    return _four([amount if v else 0.0 for v in slots])


def _maximum(
    facts: Facts, max_times: list[float], hi: float, unit: str | None, per_day: float | None
) -> tuple[bool, float | None]:
    """Units per day at most, from "högst ..." (or an as-needed schedule); (False, None) if
    the sources disagree or are in another unit."""
    candidates = []
    for value, max_unit in facts.max_units:
        if max_unit and unit and max_unit != unit:
            return False, None  # "1 tablett vid behov, högst 4 g per dygn" needs the strength
        candidates.append(value)
    candidates += [hi * times for times in max_times]
    if not candidates and facts.as_needed and per_day is not None:
        candidates.append(per_day)  # "1 tablett vid behov 3 gånger dagligen": at most 3
    return _one(candidates)


def _sane(lo: float, hi: float, times: float | None, interval: float | None, facts: Facts) -> bool:
    """Numbers a prescriber could have meant (no zero dose, no 100 times a day)."""
    if not 0 < lo <= hi <= MAX_AMOUNT:
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

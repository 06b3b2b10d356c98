"""Amounts and times of day in text order -> amount, slots and administrations per day.

"1 tablett morgon och kväll", "1 morgon 2 kväll", "morgon 1, kväll 2", "kl 8: 2 st, kl 13:
1 st", "1+0+1+0": each amount belongs to its own group of times. ``layout`` returns None
when they do not pair up (two amounts and no time, a time named twice), so the clause is
not understood rather than read one way of several.
"""

from __future__ import annotations

from dataclasses import dataclass

from medrecon.normalise.dosing.facts import Amount, Facts, TimeRef

Slots = tuple[float, float, float, float]


@dataclass(frozen=True)
class Layout:
    lo: float | None
    hi: float | None
    unit: str | None
    slots: Slots | None  # amount at each dispensing time, when every time is fixed
    count: float | None  # administrations per dosing day named by the times (or None)
    per_day: float | None = None  # units per dosing day, when the times name them
    per_day_min: float | None = None  # the same with the lower ends of ranges


NOTHING = Layout(None, None, None, None, None)


def layout_of(facts: Facts) -> Layout | None:
    """The amount and its times of day; ``NOTHING`` without amount or time, None if unclear."""
    sequence = facts.sequence
    if facts.shorthand:
        return _shorthand(facts)
    amounts = [item for item in sequence if isinstance(item, Amount)]
    times = [item for item in sequence if isinstance(item, TimeRef)]
    if not times:
        if not amounts:
            return NOTHING
        if len(amounts) > 1:
            return None  # "1 tablett 2 3": which number is the dose?
        only = amounts[0]
        return Layout(only.lo, only.hi, only.unit, None, None)
    if not amounts:
        return _times_only(times)
    return _groups(sequence)


def _times_only(times: list[TimeRef]) -> Layout | None:
    """ "morgon och kväll" without an amount: the times are known, the amount is not.

    The slots then hold 1 at each named time, a pattern that a restated amount fills
    ("1x2 (morgon och kväll)").
    """
    slots = [t.slot for t in times]
    fixed = [s for s in slots if s is not None]
    if len(set(fixed)) < len(fixed):
        return None
    pattern = [0.0, 0.0, 0.0, 0.0]
    for slot in fixed:
        pattern[slot] = 1.0
    all_fixed = len(fixed) == len(slots)
    return Layout(None, None, None, _four(pattern) if all_fixed else None, float(len(slots)))


def _groups(sequence: list[Amount | TimeRef]) -> Layout | None:
    """Amounts with their times: amount first ("1 morgon, 2 kväll") or times first."""
    groups: list[tuple[Amount, list[TimeRef]]] = []
    pending: list[TimeRef] = []
    amount_first = isinstance(sequence[0], Amount)
    for item in sequence:
        if isinstance(item, TimeRef):
            (groups[-1][1] if amount_first else pending).append(item)
        elif amount_first:
            groups.append((item, []))
        elif not pending:
            return None  # "morgon 1 2"
        else:
            groups.append((item, pending))
            pending = []
    if pending or not groups or any(not times for _, times in groups):
        return None
    given = [(amount, times) for amount, times in groups if amount.hi > 0]
    if not given:
        return None
    units = {amount.unit for amount, _ in given if amount.unit}
    if len(units) > 1:
        return None  # "1 tablett morgon och 10 ml kväll"
    slots = [0.0, 0.0, 0.0, 0.0]
    seen: set[int] = set()
    count = 0
    all_fixed = True
    per_day = per_day_min = 0.0
    for amount, group_times in groups:
        # "på morgonen 30 min före frukost": a meal at a time of day already named
        times = _unique(group_times)
        for time in times:
            if time.slot is not None:
                if time.slot in seen:
                    return None  # the same dispensing time named twice
                seen.add(time.slot)
                slots[time.slot] = amount.hi
            elif amount.hi > 0:
                all_fixed = False
            if amount.hi > 0:
                count += 1
                per_day += amount.hi
                per_day_min += amount.lo
    lo = min(amount.lo for amount, _ in given)
    hi = max(amount.hi for amount, _ in given)
    unit = units.pop() if units else None
    fixed = _four(slots) if all_fixed else None
    return Layout(lo, hi, unit, fixed, float(count), per_day, per_day_min)


def _unique(times: list[TimeRef]) -> list[TimeRef]:
    """The times of one amount, a meal dropped where its time of day is already named."""
    named = {t.slot for t in times if t.slot is not None and not t.meal}
    kept, meals_seen = [], set()
    for time in times:
        if time.meal and time.slot is not None:
            if time.slot in named or time.slot in meals_seen:
                continue
            meals_seen.add(time.slot)
        kept.append(time)
    return kept


def _shorthand(facts: Facts) -> Layout | None:
    if len(facts.shorthand) > 1:
        return None  # two shorthands: which one holds?
    values, unit = facts.shorthand[0]
    sequence = facts.sequence
    if _is_sum(values, sequence):
        # "1 + ½ tablett på morgonen": one amount of 1.5 at one time of day
        slots = [0.0, 0.0, 0.0, 0.0]
        time = sequence[0]
        assert isinstance(time, TimeRef) and time.slot is not None
        slots[time.slot] = sum(values)
        total = sum(values)
        return Layout(total, total, unit, _four(slots), 1.0, total, total)
    if sequence:
        return None  # "1+0+1 morgon": which holds?
    given = [v for v in values if v]
    if not given:
        return None
    if len(values) == 2:  # "2+1": two doses a day, but which parts of the day is unsaid
        total = sum(values)
        return Layout(min(given), max(given), unit, None, float(len(given)), total, total)
    # three numbers are morning, noon, evening: pad with an empty night
    padded = [*values, 0.0] if len(values) == 3 else values
    total = sum(values)
    return Layout(min(given), max(given), unit, _four(padded), float(len(given)), total, total)


def _is_sum(values: list[float], sequence: list[Amount | TimeRef]) -> bool:
    """ "1 + ½" before one time of day is a sum: a whole number plus a part of a tablet."""
    if len(values) != 2 or len(sequence) != 1 or not isinstance(sequence[0], TimeRef):
        return False
    if sequence[0].slot is None:
        return False
    whole, part = values
    return whole >= 1 and whole == int(whole) and 0 < part < 1


def _four(values: list[float]) -> Slots:
    return (values[0], values[1], values[2], values[3])


def rescale(slots: Slots, amount: float) -> Slots | None:
    """The same times of day with a new amount, when the old amount was the same in all."""
    given = {v for v in slots if v}
    if len(given) != 1:
        return None
    return _four([amount if v else 0.0 for v in slots])

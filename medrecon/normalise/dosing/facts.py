"""The first half of the dosing grammar: one clause's tokens -> the facts it states.

``scan`` lists what a clause says (amounts, times of day, how often, as-needed, maximum,
...) without judging whether it fits together; ``statement.resolve`` does that. A number or
a meaningful word that no construction accounts for marks the facts ``uncertain``, so the
clause is not understood: a reading never rests on a number the reader skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from medrecon.normalise.dosing.lexicon import Lexicon, key
from medrecon.normalise.dosing.patterns import KIND_OF
from medrecon.normalise.dosing.values import (
    days_between,
    mass_in_unit,
    number_range,
)

_HOUR = re.compile(r"(\d{1,2})(?:[.:](\d{2}))?")
_SHORTHAND_VALUE = re.compile(r"\d+(?:\.\d+)?")
_DIGIT = re.compile(r"\d")
_WORDS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Amount:
    lo: float
    hi: float
    unit: str | None  # canonical unit; None when the text names none ("1x2", "2 st")


@dataclass(frozen=True)
class TimeRef:
    """A time of day in text order: a dispensing slot (0-3), or None when not fixed."""

    slot: int | None
    meal: bool = False  # named by a meal ("till frukost"), not a time of day


@dataclass
class Facts:
    """What one clause says, token by token, before the grammar judges it."""

    markers: list[str] = field(default_factory=list)
    as_needed: bool = False
    uncertain: bool = False  # a leftover number or meaningful word: not understood
    max_units: list[tuple[float, str | None]] = field(default_factory=list)
    max_times: list[float] = field(default_factory=list)  # administrations per day at most
    max_per_week: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    intervals: list[float] = field(default_factory=list)  # days between dosing days
    fixed_times: list[float] = field(default_factory=list)  # administrations per dosing day
    hour_ranges: list[tuple[float, float]] = field(default_factory=list)  # "var 4-6 timme"
    freqs: list[tuple[float, float]] = field(default_factory=list)  # "2 gånger", "x 1-2"
    counted_times: bool = False  # a frequency in words ("2 gånger"), not "x 2"
    periods: set[str] = field(default_factory=set)  # "day" | "week" | "month" | "year"
    weekdays: set[str] = field(default_factory=set)
    except_days: set[str] = field(default_factory=set)
    sequence: list[Amount | TimeRef] = field(default_factory=list)
    shorthand: list[tuple[list[float], str | None]] = field(default_factory=list)
    laterality: set[int] = field(default_factory=set)
    amountless: bool = False  # "Smörjes 2 gånger dagligen": no amount is expected
    once: bool = False  # "Laddningsdos 600 mg": a single administration
    distributed: list[float] = field(default_factory=list)  # "fördelat på 2 doser"
    implied_units: list[str] = field(default_factory=list)  # "Byt plåster ..."
    weekday_list: tuple[str, ...] = ()

    def has_dose_content(self) -> bool:
        return bool(
            self.sequence
            or self.shorthand
            or self.freqs
            or self.fixed_times
            or self.intervals
            or self.weekdays
            or self.periods
            or self.as_needed
            or self.max_units
            or self.max_times
            or self.durations
        )


def scan(tokens: Iterable[re.Match[str]], lex: Lexicon) -> Facts:
    """List the facts of one clause's tokens (of a normalised text: "0.5" for "½")."""
    facts = Facts()
    bare_unit: str | None = None  # "Tabletter 1+0+1": a unit word waiting for a shorthand
    after_bare_number = False  # the last token was a number without a unit
    skipping = False  # inside a negated phrase ("ej till natten")
    dinners: list[tuple[int, bool]] = []  # (index in sequence, written after a meal prefix)
    meals: set[int | None] = set()
    for token in tokens:
        name = token.lastgroup or "other"
        text = token.group(name)
        if skipping:
            if name == "sep" and text in (",", ".", ";", ")", "!", "?"):
                skipping = False
            elif _DIGIT.search(text) and name not in ("threshold", "date", "date_mention"):
                facts.uncertain = True  # a number in a negated phrase: "ej mer än 2"
            continue
        if name in (
            "other",
            "harmless",
            "sep",
            "prefix",
            "strength",
            "ratio",
            "ratio_unit",
            "label_strength",
            "span",
            "word_span",
            "dilution",
            "word_dilution",
            "threshold",
            "date_mention",
            "control",
            "removal",
            "contact",
            "indication",
            "strength_each",
            "x_clock",
        ):
            if name == "sep" and after_bare_number and text in ("/",):
                facts.uncertain = True  # "2/": a number divided by something unread
            after_bare_number = False if name != "other" else after_bare_number
            continue
        if name == "negation":
            skipping = True
            continue
        if name == "word":
            word = key(text)
            if word in lex.uncertain:
                if (
                    bare_unit is None
                    and word in lex.unit_of
                    and lex.unit_of[word] in lex.implied_one
                ):
                    facts.implied_units.append(lex.unit_of[word] or "")
                elif bare_unit is None and word in lex.unit_of:
                    bare_unit = word
                else:
                    facts.uncertain = True
            elif after_bare_number:
                facts.uncertain = True  # "1 tesked", "2 alvedon": an unknown unit
            after_bare_number = False
            continue
        kind = KIND_OF[name]
        if kind == "meal":
            meal = key(token.group(name + "_meal"))
            slot = lex.slot_of_meal[meal]
            meals.add(slot)
            if slot is None:
                dinners.append((len(facts.sequence), token.group(name + "_prefix") is not None))
            facts.sequence.append(TimeRef(slot, meal=True))
            after_bare_number = False
            continue
        if not _read_token(kind, name, token, lex, facts):
            facts.uncertain = True
        after_bare_number = kind == "amount" and _bare(facts)
        if bare_unit is not None:
            if kind != "shorthand" or not _adopt_unit(facts, lex.unit(bare_unit)):
                facts.uncertain = True
            bare_unit = None
    if bare_unit is not None:
        if lex.unit_of.get(bare_unit) in lex.implied_one:
            facts.implied_units.append(lex.unit_of[bare_unit] or "")
        else:
            facts.uncertain = True  # a unit word without a number: "tablett morgon"
    _place_dinners(facts, dinners, meals)
    if facts.weekdays:
        facts.weekday_list = tuple(d for d in lex.weekday_order if d in facts.weekdays)
    return facts


def _bare(facts: Facts) -> bool:
    last = facts.sequence[-1] if facts.sequence else None
    return isinstance(last, Amount) and last.unit is None


def _place_dinners(facts: Facts, dinners: list[tuple[int, bool]], meals: set[int | None]) -> None:
    """ "middag": the noon time, or the evening meal when lunch is named, or an open time.

    A meal prefix ("till middag") or another meal in the text makes it a meal; as a meal it
    is the evening meal only when lunch is also named (older patients and writers mean
    lunch by "middag", younger ones dinner), otherwise its time is open.
    """
    other_meals = meals - {None}
    for index, prefixed in dinners:
        slot = (2 if 1 in other_meals else None) if prefixed or other_meals else 1
        facts.sequence[index] = TimeRef(slot, meal=slot != 1)


def _read_token(kind: str, name: str, d: re.Match[str], lex: Lexicon, facts: Facts) -> bool:
    """Add one token's facts; False when its numbers make no sense (e.g. "kl 27")."""
    p = name + "_"
    if kind == "marker":
        facts.markers.append(lex.marker_of[key(d.group(name))])
    elif kind in ("as_needed", "trigger", "symptom"):
        facts.as_needed = True
    elif kind == "per_weight":
        return False
    elif kind == "amountless":
        facts.amountless = True
    elif kind == "maximum":
        return _maximum(d, p, lex, facts)
    elif kind == "min_gap":
        every = int(d.group(p + "hours"))
        if every == 0 or every > 24:
            return False
        facts.max_times.append(24 // every if 24 % every == 0 else 24 / every)
    elif kind == "duration":
        facts.durations.append(
            lex.number(d.group(p + "n")) * lex.duration_unit_of[key(d.group(p + "unit"))]
        )
    elif kind == "day_number":
        first, last = int(d.group(p + "first")), d.group(p + "last")
        span = (int(last) - first + 1) if last else 1
        if span <= 0:
            return False
        facts.durations.append(float(span))
    elif kind == "once":
        facts.once = True
    elif kind == "start_word":
        return True
    elif kind == "first_period":
        facts.durations.append(7.0 if d.group(p + "unit").startswith("veck") else 1.0)
    elif kind == "date_range":
        days = days_between(d.group(p + "first"), d.group(p + "last"))
        if days is None:
            return False
        facts.durations.append(days)
    elif kind == "date":
        return True  # a date or a strength ratio, neither a dose
    elif kind == "change":  # "byts efter 7 dagar"
        days = lex.number(d.group(p + "n")) * lex.duration_unit_of[key(d.group(p + "unit"))]
        if days <= 0:
            return False
        facts.intervals.append(days)
    elif kind == "every":
        if d.group(p + "other"):
            n: float = 2
        elif d.group(p + "ord"):
            n = lex.ordinal_of[key(d.group(p + "ord"))]
        else:
            n = int(d.group(p + "n"))
        high = d.group(p + "n_hi")
        return _every(
            n, int(high) if high else None, lex.every_unit_of[key(d.group(p + "unit"))], facts
        )
    elif kind == "shorthand":
        values = [float(v) for v in _SHORTHAND_VALUE.findall(d.group(p + "values"))]
        facts.shorthand.append((values, lex.unit(d.group(p + "unit"))))
    elif kind == "days_per_week":
        days = lex.number(d.group(p + "n"))
        if not 1 <= days <= 7 or days != int(days):
            return False
        facts.intervals.append(7 / days)
    elif kind in ("times", "times_x"):
        lo, hi = number_range(d, p, lex)
        facts.freqs.append((lo, hi))
        facts.counted_times = facts.counted_times or kind == "times"
    elif kind == "distributed":
        facts.distributed.append(lex.number(d.group(p + "n")))
    elif kind == "main_meals":
        facts.sequence.extend(TimeRef(None) for _ in range(lex.main_meal_count))
    elif kind in ("clock", "clock_time"):
        return _clock(d.group(p + "hours"), lex, facts)
    elif kind == "weekday_except":
        for word in _WORDS.findall(d.group(p + "days")):
            if key(word) in lex.weekdays_of:
                facts.except_days.update(lex.weekdays_of[key(word)])
    elif kind == "weekday_range":
        order = lex.weekday_order
        first = order.index(lex.weekdays_of[key(d.group(p + "first"))][0])
        last = order.index(lex.weekdays_of[key(d.group(p + "last"))][0])
        span = (last - first) % 7 + 1
        facts.weekdays.update(order[(first + i) % 7] for i in range(span))
    elif kind == "weekday_list":
        for word in _WORDS.findall(d.group(p + "days")):
            if key(word) in lex.weekdays_of:
                facts.weekdays.update(lex.weekdays_of[key(word)])
    elif kind == "weekday":
        facts.weekdays.update(lex.weekdays_of[key(d.group(p + "day"))])
    elif kind == "alternate_dates":
        facts.intervals.append(2.0)
    elif kind == "monthly_day":
        facts.intervals.append(30.0)
    elif kind == "period":
        for period in ("week", "month", "year", "day", "bare_day"):
            if d.group(p + period):
                facts.periods.add("day" if period == "bare_day" else period)
    elif kind == "laterality_both":
        facts.laterality.add(2)
    elif kind == "laterality_one":
        facts.laterality.add(1)
    elif kind == "unslotted":
        facts.sequence.append(TimeRef(None))
    elif kind == "part":
        facts.sequence.append(TimeRef(lex.slot_of_part[key(d.group(p + "part"))]))
    elif kind == "amount_x_unit":
        amount = lex.number(d.group(p + "lo"))
        facts.sequence.append(Amount(amount, amount, lex.unit(d.group(p + "unit"))))
        facts.freqs.append((float(d.group(p + "n")),) * 2)
    elif kind == "amount":
        unit = lex.unit(d.group(p + "unit"))
        lo_unit = d.groupdict().get(p + "lo_unit")
        if lo_unit:  # "500 mg-1 g"
            hi = lex.number(d.group(p + "mhi"))
            converted = mass_in_unit(lex.number(d.group(p + "mlo")), lex.unit(lo_unit), unit)
            if converted is None or converted > hi:
                return False
            lo = converted
        else:
            lo, hi = number_range(d, p, lex)
        measure = d.group(p + "measure")
        if measure:
            m = lex.measure_of[key(measure)]
            lo, hi, unit = lo * m.amount, hi * m.amount, m.unit
        facts.sequence.append(Amount(lo, hi, unit))
    else:  # numberish: a digit or fraction sign that no construction used
        return False
    return True


def _maximum(d: re.Match[str], p: str, lex: Lexicon, facts: Facts) -> bool:
    if d.group(p + "hours"):
        every = int(d.group(p + "hours"))
        if every == 0 or every > 24:
            return False
        facts.max_times.append(24 / every)
        return True
    lo, hi = number_range(d, p, lex)
    if lo != hi:
        return False  # "högst 3-4 per dygn": which?
    if d.group(p + "week"):
        facts.max_per_week.append(hi)
    elif d.group(p + "times"):
        facts.max_times.append(hi)
    else:
        facts.max_units.append((hi, lex.unit(d.group(p + "unit"))))
    return True


def _every(n: float, high: int | None, unit: str, facts: Facts) -> bool:
    """ "var N:e dag/vecka/månad/timme": days between doses, or administrations a day."""
    if n <= 0 or (high is not None and high <= n):
        return False
    if unit == "hour":
        if high is not None:
            facts.hour_ranges.append((n, float(high)))
            return 0 < n <= 24
        if n <= 24:
            if 24 % n:
                return False
            facts.fixed_times.append(24 / n)
        elif n % 24 == 0:
            facts.intervals.append(n / 24)  # "var 72:e timme": every third day
        else:
            return False
        return True
    if high is not None:
        return False
    facts.intervals.append(n * {"day": 1.0, "week": 7.0, "month": 30.0}[unit])
    return True


def _clock(hours: str, lex: Lexicon, facts: Facts) -> bool:
    slots: list[int] = []
    seen: set[tuple[int, int]] = set()
    for hour_text, minute_text in _HOUR.findall(hours):
        hour, minute = int(hour_text), int(minute_text or 0)
        if hour > 24 or minute > 59 or (hour % 24, minute) in seen:
            return False  # "kl 27", or the same time twice
        seen.add((hour % 24, minute))
        slots.append(lex.slot_of_hour[hour % 24])
    if len(set(slots)) < len(slots):
        # "kl 8, 12, 16 och 20": four times that do not fit the four dispensing times
        facts.sequence.extend(TimeRef(None) for _ in slots)
    else:
        facts.sequence.extend(TimeRef(s) for s in slots)
    return True


def _adopt_unit(facts: Facts, unit: str | None) -> bool:
    """Give the last shorthand the unit written before it; False if it names another."""
    values, own = facts.shorthand[-1]
    if own is not None and unit is not None and own != unit:
        return False
    facts.shorthand[-1] = (values, own or unit)
    return True

"""The first half of the dosing grammar: one clause's tokens -> the facts it states.

``scan`` lists what a clause says (amounts, parts of the day, how often, as-needed,
maximum, ...) without judging it; ``dosing_grammar.resolve`` then checks that the facts
fit together into one schedule. A leftover number or a meaningful word the grammar does
not use ("eller", "vecka") marks the facts uncertain, so the clause is not understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medrecon.normalise.dosing_lexicon import KIND_OF, Lexicon, key

_HOUR = re.compile(r"(\d{1,2})(?:[.:](\d{2}))?")
_SHORTHAND_VALUE = re.compile(r"\d+(?:\.\d+)?")

Amount = tuple[float, float, str | None]  # lower, upper, canonical unit (None if not said)

# A standing dose and an as-needed dose in one text ("1 tablett på morgonen samt 1 tablett
# till natten vid behov"): a reading has one as-needed flag, so the text is not understood.
MARKER_MIXED = "stående och vid behov"


@dataclass
class Facts:
    """What one clause says, token by token, before the grammar judges it."""

    markers: list[str] = field(default_factory=list)
    as_needed: bool = False
    uncertain: bool = False  # a leftover number or meaningful word: not understood
    max_units: list[tuple[float, str | None]] = field(default_factory=list)
    max_times: list[float] = field(default_factory=list)  # administrations per day
    durations: list[float] = field(default_factory=list)
    intervals: list[float] = field(default_factory=list)  # days between dosing days
    times: list[float] = field(default_factory=list)  # administrations per dosing day
    freqs: list[tuple[float, float]] = field(default_factory=list)  # "2 gånger", "1-2 ggr"
    periods: set[str] = field(default_factory=set)  # "day" | "week"
    weekdays: set[str] = field(default_factory=set)
    # amounts and parts of the day (slot index) in text order
    sequence: list[Amount | int] = field(default_factory=list)
    shorthand: list[tuple[list[float], str | None]] = field(default_factory=list)
    weekday_list: tuple[str, ...] = ()  # the weekdays in calendar order


def scan(clause: str, lex: Lexicon) -> Facts:
    """List the facts of one normalised clause (lower case, "0.5" for "½")."""
    facts = Facts()
    bare_unit: str | None = None  # "Tabletter 1+0+1": a unit word waiting for a shorthand
    conjunction = False  # the last token was "och" / "samt"
    mixed = False
    amounts_before_as_needed: int | None = None
    for token in lex.master.finditer(clause):
        name = token.lastgroup or "other"
        if name == "other" or name == "harmless":
            continue
        if name == "sep":
            conjunction = token.group(name) in ("och", "samt")
            continue
        if name == "as_needed":
            # "1 tablett på morgonen och vid behov": a standing dose plus an as-needed one
            mixed = mixed or conjunction
            if amounts_before_as_needed is None:
                amounts_before_as_needed = _amount_count(facts)
        conjunction = False
        if name == "word":
            word = token.group(name)
            if word in lex.uncertain:
                if bare_unit is None and key(word) in lex.unit_of:
                    bare_unit = word
                else:
                    facts.uncertain = True
            continue
        kind = KIND_OF[name]
        if not _read_token(kind, token, name + "_", lex, facts):
            facts.uncertain = True
        if bare_unit is not None:
            if kind != "shorthand" or not _adopt_unit(facts, lex.unit(bare_unit)):
                facts.uncertain = True
            bare_unit = None
    if bare_unit is not None:
        facts.uncertain = True  # a unit word without a number: "tablett morgon"
    # "vid behov" after the first of several amounts may belong to the last one only
    if amounts_before_as_needed and _amount_count(facts) > 1:
        mixed = True
    if mixed:
        facts.uncertain = True
        facts.markers.insert(0, MARKER_MIXED)
    if facts.weekdays:
        facts.weekday_list = tuple(d for d in lex.weekday_order if d in facts.weekdays)
    return facts


def _amount_count(facts: Facts) -> int:
    return sum(1 for item in facts.sequence if not isinstance(item, int))


def _read_token(kind: str, d: re.Match[str], p: str, lex: Lexicon, facts: Facts) -> bool:
    """Add one token's facts; False when its numbers make no sense (e.g. "kl 27").

    ``p`` is the prefix of the token's inner group names ("amount_" for "amount_lo").
    """
    if kind == "marker":
        facts.markers.append(lex.marker_of[key(d.group(p[:-1]))])
    elif kind == "as_needed":
        facts.as_needed = True
    elif kind == "maximum":
        if d.group(p + "hours"):
            every = int(d.group(p + "hours"))
            if every == 0 or 24 % every:
                return False
            facts.max_times.append(24 / every)
            return True
        lo, hi = _range(d, p, lex)
        if lo != hi:
            return False
        if d.group(p + "times"):
            facts.max_times.append(hi)
        else:
            facts.max_units.append((hi, lex.unit(d.group(p + "unit"))))
    elif kind == "duration":
        facts.durations.append(
            lex.number(d.group(p + "n")) * lex.duration_days_of[d.group(p + "unit")]
        )
    elif kind == "every":
        n = (
            2
            if d.group(p + "other")
            else int(d.group(p + "n") or lex.ordinal_of[d.group(p + "ord")])
        )
        unit = lex.every_unit_of[d.group(p + "unit")]
        if n == 0:
            return False
        if unit == "hour":
            if 24 % n:
                return False
            facts.times.append(24 / n)
        else:
            facts.intervals.append(n * (7.0 if unit == "week" else 1.0))
    elif kind == "shorthand":
        values = [float(v) for v in _SHORTHAND_VALUE.findall(d.group(p + "values"))]
        facts.shorthand.append((values, lex.unit(d.group(p + "unit"))))
    elif kind == "days_per_week":
        days = lex.number(d.group(p + "n"))
        if not 1 <= days <= 7 or days != int(days):
            return False
        facts.intervals.append(7 / days)
    elif kind == "times":
        facts.freqs.append(_range(d, p, lex))
    elif kind == "clock":
        seen: set[int] = set()
        for hour_text, minute_text in _HOUR.findall(d.group(p + "hours")):
            hour, minute = int(hour_text), int(minute_text or 0)
            if hour > 24 or minute > 59:
                return False
            slot = lex.slot_of_hour[hour % 24]
            if slot in seen:  # "kl 8 och 9": two doses in one dispensing time
                return False
            seen.add(slot)
            facts.sequence.append(slot)
    elif kind == "weekday_range":
        order = lex.weekday_order
        first = order.index(lex.weekdays_of[key(d.group(p + "first"))][0])
        last = order.index(lex.weekdays_of[key(d.group(p + "last"))][0])
        span = (last - first) % 7 + 1
        facts.weekdays.update(order[(first + i) % 7] for i in range(span))
    elif kind == "weekday":
        facts.weekdays.update(lex.weekdays_of[key(d.group(p + "day"))])
    elif kind == "period":
        facts.periods.add("week" if d.group(p + "week") else "day")
    elif kind == "part":
        facts.sequence.append(lex.slot_of_part[key(d.group(p + "part"))])
    elif kind == "times_x":
        facts.times.append(float(d.group(p + "n")))
    elif kind in ("amount", "word_amount"):
        lo, hi = _range(d, p, lex)
        facts.sequence.append((lo, hi, lex.unit(d.group(p + "unit"))))
    else:  # numberish: a digit or fraction sign that no construction used
        return False
    return True


def _adopt_unit(facts: Facts, unit: str | None) -> bool:
    """Give the last shorthand the unit written before it; False if it names another."""
    values, own = facts.shorthand[-1]
    if own is not None and unit is not None and own != unit:
        return False
    facts.shorthand[-1] = (values, own or unit)
    return True


def _range(d: re.Match[str], p: str, lex: Lexicon) -> tuple[float, float]:
    lo = lex.number(d.group(p + "lo"))
    high = d.group(p + "hi")
    return lo, (lex.number(high) if high else lo)

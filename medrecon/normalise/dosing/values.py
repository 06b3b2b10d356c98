"""Small value readers of the dosing grammar: numbers and ranges of a token, dates and
the days between them, masses in another unit."""

from __future__ import annotations

import datetime as dt
import re

from medrecon.normalise.dosing.lexicon import Lexicon
from medrecon.normalise.strength import unit_tables


def days_between(first: str, last: str) -> float | None:
    """Days from one date to another, both included ("12/11" to "18/11" is 7 days)."""
    start, end = parse_date(first), parse_date(last)
    if start is None or end is None:
        return None
    if end < start:
        end = end.replace(year=end.year + 1)
    return float((end - start).days + 1)


def parse_date(text: str) -> dt.date | None:
    try:
        if "-" in text:
            return dt.date.fromisoformat(text)
        day, month, *year = (int(p) for p in text.split("/"))
        return dt.date(2001 if not year else (year[0] % 100) + 2000, month, day)
    except ValueError:
        return None


def mass_in_unit(value: float, unit: str | None, target: str | None) -> float | None:
    """A mass in another mass unit ("500 mg" in g is 0.5), or None when not both masses."""
    tables = unit_tables().quantity
    source, goal = tables.get(unit or ""), tables.get(target or "")
    if source is None or goal is None or source[0] != "mg" or goal[0] != "mg":
        return None
    return value * source[1] / goal[1]


def number_range(d: re.Match[str], p: str, lex: Lexicon) -> tuple[float, float]:
    lo = lex.number(d.group(p + "lo"))
    high = d.group(p + "hi")
    return lo, (lex.number(high) if high else lo)

"""Swedish dosing text (Cosmic ``Dosering``, Pascal ``Användning``) -> ``DoseReading``.

Public API:

- ``parse_dosing(text)`` reads one text ("1-2 tabletter vid behov, högst 8 per dygn",
  "1+0+1+0", "1 tablett varannan dag", "enligt ordination");
- ``dose_from_slots(morning, noon, evening, night)`` reads Pascal's four time columns
  into the same structure, so "Morgon 1, Kväll 1" equals "1 tablett morgon och kväll";
- ``parse_dosing_many(texts)`` reads distinct texts (the pipeline joins them back).

How it works: the text is normalised (case, dashes, "½", "0,5", "1/2"), split into steps
at "sedan", and each step is tokenised by one regex built from ``rules/dosing.toml``
(``dosing_lexicon``) and judged by a small grammar (``dosing_grammar``). The parser never
guesses: when the pieces do not add up to one reading, the result is ``understood=False``
with every number None and the text kept. It never raises on text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

from medrecon.normalise.dose_model import DoseReading
from medrecon.normalise.dosing_grammar import Step, resolve, scan
from medrecon.normalise.dosing_lexicon import lexicon

__all__ = ["dose_from_slots", "normalise_dosing_text", "parse_dosing", "parse_dosing_many"]

# Longer texts are not dosing instructions (Cosmic allows 254 characters); reading them
# would only cost time.
MAX_TEXT_LENGTH = 1000

_CHARACTERS = str.maketrans(
    {
        "\u2013": "-",  # en dash: "1–2"
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",  # minus sign
        "\u2010": "-",
        "\u2011": "-",
        "\u00d7": "x",  # multiplication sign: "1×2"
        "\u00e1": "à",  # "1 á 2" is a common misspelling of "1 à 2"
    }
)
_GLYPH_VALUE = {"½": 0.5, "¼": 0.25, "¾": 0.75}
_GLYPH = re.compile(r"(?:(?<![\d.])(\d+)\s*)?([½¼¾])")  # "½", "1½", "1 ½"
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")  # "0,5"
_MIXED_FRACTION = re.compile(r"(?<![\d./])(\d+)\s+(\d+)/(\d+)(?![\d./])")  # "1 1/2"
_FRACTION = re.compile(r"(?<![\d./])(\d+)/(\d+)(?![\d./])")  # "1/2", "3/4"


def _number(value: float) -> str:
    return f"{value:.10g}"


def _glyph(match: re.Match[str]) -> str:
    whole = int(match.group(1)) if match.group(1) else 0
    return _number(whole + _GLYPH_VALUE[match.group(2)])


def _fraction(numerator: str, denominator: str) -> float | None:
    """A proper fraction's value; None for "2/1" or "1/0", which are not parts of a unit."""
    num, den = int(numerator), int(denominator)
    return num / den if 0 < num < den else None


def _mixed(match: re.Match[str]) -> str:
    part = _fraction(match.group(2), match.group(3))
    return match.group() if part is None else _number(int(match.group(1)) + part)


def _proper(match: re.Match[str]) -> str:
    part = _fraction(match.group(1), match.group(2))
    return match.group() if part is None else _number(part)


def normalise_dosing_text(text: str) -> str:
    """Lower case, one space between words, one spelling for dashes, decimals and fractions.

    "1½ Tabl.  x 2" -> "1.5 tabl. x 2"; "0,5" -> "0.5"; "1/2" -> "0.5". The parser reads only
    this form, so texts differing in case or white space read the same.
    """
    t = text.lower()
    if not t.isascii():
        t = unicodedata.normalize("NFC", t).translate(_CHARACTERS)
        if "½" in t or "¼" in t or "¾" in t:
            t = _GLYPH.sub(_glyph, t)
    if "," in t:
        t = _DECIMAL_COMMA.sub(".", t)
    if "/" in t:
        t = _MIXED_FRACTION.sub(_mixed, t)
        t = _FRACTION.sub(_proper, t)
    return " ".join(t.split())


def parse_dosing(text: str | None) -> DoseReading:
    """Read a Swedish dosing text. Never raises; ``understood=False`` when unsure."""
    raw = text if isinstance(text, str) else ""
    norm = normalise_dosing_text(raw) if len(raw) <= MAX_TEXT_LENGTH else ""
    if not norm:
        return DoseReading(text=raw, understood=False)
    lex = lexicon()
    clauses = lex.step_split.split(norm) if lex.step_word.search(norm) else [norm]
    facts = [scan(clause, lex) for clause in clauses]
    marker = next((m for f in facts for m in f.markers), None)
    steps: list[Step] = []
    for clause_facts in facts:
        step = resolve(clause_facts, steps[-1] if steps else None)
        if step is None:
            return DoseReading(text=raw, understood=False, marker=marker)
        steps.append(step)
    later = tuple(
        _reading(clause, step) for clause, step in zip(clauses[1:], steps[1:], strict=True)
    )
    return _reading(raw, steps[0], marker=marker, later=later)


def _reading(
    text: str, step: Step, marker: str | None = None, later: tuple[DoseReading, ...] = ()
) -> DoseReading:
    return DoseReading(
        text=text,
        understood=True,
        marker=marker,
        amount_min=step.amount_min,
        amount_max=step.amount_max,
        unit=step.unit,
        times_per_day=step.times_per_day,
        slots=step.slots if step.slots is not None else (None, None, None, None),
        interval_days=step.interval_days,
        weekdays=step.weekdays,
        as_needed=step.as_needed,
        max_per_day=step.max_per_day,
        duration_days=step.duration_days,
        steps=later,
        daily_units=step.daily_units,
    )


def parse_dosing_many(texts: Iterable[str | None]) -> dict[str, DoseReading]:
    """Readings of distinct texts, keyed by the text as given (None and repeats skipped)."""
    readings: dict[str, DoseReading] = {}
    for text in texts:
        if isinstance(text, str) and text not in readings:
            readings[text] = parse_dosing(text)
    return readings


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
    """Pascal's time columns (Morgon, Middag, Kväll, Natt) as a reading.

    Gives the same times per day, slots and daily units as the equivalent text: columns
    1, -, 1, - read like "1+0+1+0" and "1 tablett morgon och kväll". The columns carry no
    unit, so ``unit`` stays None unless the caller knows it (e.g. from the dose form).
    ``text`` is kept as the reading's text. All columns empty: not understood.
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
        times_per_day=float(len(given)),
        slots=slots,
        interval_days=1.0,
        as_needed=as_needed,
        # as-needed at fixed times: at most what the columns say (as for the same text)
        max_per_day=per_day if as_needed else None,
        daily_units=None if as_needed else per_day,
    )

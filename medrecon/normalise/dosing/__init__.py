"""Swedish dosing text (Cosmic ``Dosering``, Pascal ``Användning``) -> ``DoseReading``.

Public API:

- ``parse_dosing(text)`` reads one text ("1-2 tabletter vid behov, högst 8 per dygn",
  "1+0+1+0", "1 tablett varannan dag", "enligt ordination");
- ``dose_from_slots(morning, noon, evening, night)`` reads Pascal's four time columns
  into the same structure, so "Morgon 1, Kväll 1" equals "1 tablett morgon och kväll";
- ``parse_dosing_many(texts)`` reads distinct texts (the pipeline joins them back);
- ``normalise_dosing_text(text)`` is the one spelling the reader reads.

How it works (one module per step): ``text`` normalises case, numbers and typos;
``patterns`` compiles the vocabulary of ``rules/dosing.toml`` (``lexicon``) into one
master regex; ``steps`` cuts a text into its steps; ``facts`` lists what each clause says;
``layout`` pairs amounts with times of day; ``statement`` checks that everything agrees;
``reader`` puts clauses, restatements and steps together. The reader never guesses: when
the pieces do not add up, the result is ``understood=False`` with every number None and the
text kept. It never raises on text.
"""

from __future__ import annotations

from collections.abc import Iterable

from medrecon.normalise.dose_model import DoseReading
from medrecon.normalise.dosing.reader import reader
from medrecon.normalise.dosing.slots import dose_from_slots
from medrecon.normalise.dosing.text import normalise_dosing_text

__all__ = [
    "countable_units",
    "dose_from_slots",
    "normalise_dosing_text",
    "parse_dosing",
    "parse_dosing_many",
]


def countable_units() -> frozenset[str]:
    """Dose units that count pieces of the product (tablett, kapsel, droppe, plåster ...)."""
    return reader().lex.countable


def parse_dosing(text: str | None) -> DoseReading:
    """Read a Swedish dosing text. Never raises; ``understood=False`` when unsure."""
    return reader().parse(text)


def parse_dosing_many(texts: Iterable[str | None]) -> dict[str, DoseReading]:
    """Readings of distinct texts, keyed by the text as given (None and repeats skipped)."""
    readings: dict[str, DoseReading] = {}
    for text in texts:
        if isinstance(text, str) and text not in readings:
            readings[text] = parse_dosing(text)
    return readings

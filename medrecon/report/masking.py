"""Identifiers masked out of free text for the pseudonymised report.

A pseudonymised report travels beyond the care team, so no personnummer and no patient
name may stand anywhere in it: not in explanations only, but in line texts (a product
text a nurse typed a name into), units, rejected-row reasons that quote a cell, and
input file names. ``TextMask`` replaces every personnummer-shaped number (12 or 10
digits, with ``-``, ``+`` or a space, also samordnings- and reserve numbers, see
``medrecon.logsetup``) and every word that is part of a patient's name in this run.
Name words match as written, in capitals, and (from five letters) in any case; a
short name that is also an ordinary word in lower case ("Per", "per dag") keeps the
ordinary word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from medrecon.logsetup import mask_ids

NAME_MASK = "[namn]"
_WORD = re.compile(r"[^\W\d_]+")
_ANY_CASE_FROM = 5


class TextMask:
    """Masks personnummer and the given patients' names in text."""

    def __init__(self, names: Iterable[str | None]) -> None:
        exact: set[str] = set()
        folded: set[str] = set()
        for name in names:
            for word in _WORD.findall(name or ""):
                if len(word) < 2:
                    continue
                exact.update((word, word.upper(), word.capitalize()))
                if len(word) >= _ANY_CASE_FROM:
                    folded.add(word.casefold())
        self._exact = frozenset(exact)
        self._folded = frozenset(folded)

    def _word(self, match: re.Match[str]) -> str:
        word = match.group()
        if word in self._exact or word.casefold() in self._folded:
            return NAME_MASK
        return word

    def __call__(self, text: str) -> str:
        return _WORD.sub(self._word, mask_ids(text))

    def column(self, column: pl.Series) -> pl.Series:
        """A text column masked, each distinct text once."""
        distinct = column.drop_nulls().unique()
        masked = pl.Series([self(text) for text in distinct.to_list()], dtype=pl.String)
        return column.replace_strict(distinct, masked, default=None, return_dtype=pl.String)

    def frame(self, frame: pl.DataFrame, keep: Iterable[str] = ()) -> pl.DataFrame:
        """Every text column of ``frame`` masked, except the code columns in ``keep``."""
        kept = set(keep)
        return frame.with_columns(
            self.column(frame.get_column(name)).alias(name)
            for name, dtype in frame.schema.items()
            if dtype == pl.String and name not in kept
        )

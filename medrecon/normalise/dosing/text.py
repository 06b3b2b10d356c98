"""A dosing text in the one spelling the reader reads: case, numbers, spacing, typos.

``normalise_dosing_text`` lowers the case and writes every number one way ("½" -> "0.5",
"0,5" -> "0.5", "1/2" -> "0.5"), separates numbers from words ("2ggr" -> "2 ggr", "1x2" ->
"1 x 2") and collapses white space. ``correct_spelling`` then replaces a misspelt dosing
word with the lexicon word it is one typing error away from ("dagligenn" -> "dagligen"),
conservatively: a word the lexicon knows is never changed, and a correction must be unique.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from medrecon.normalise.dosing.lexicon import Lexicon, fold, key

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
        "\u2019": "'",
        "\u00a0": " ",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_GLYPH_VALUE = {"½": 0.5, "¼": 0.25, "¾": 0.75}
_GLYPH = re.compile(r"(?:(?<![\d.])(\d+)\s*)?([½¼¾])")  # "½", "1½", "1 ½"
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")  # "0,5"
_TIMES_STAR = re.compile(r"(?<=\d)\s*\*\s*(?=\d)")  # "1*2"
# Only halves, thirds and quarters are parts of a tablet; "97/103" or "160/4,5" is a
# combination strength and "12/11" a date, which the tokens read as such.
_MIXED_FRACTION = re.compile(r"(?<![\d./])(\d+)\s+([123])/([234])(?![\d./])")  # "1 1/2"
_FRACTION = re.compile(r"(?<![\d./])([123])/([234])(?![\d./])")  # "1/2", "3/4"
# "2ggr" -> "2 ggr", "1tabl" -> "1 tabl", "x2" -> "x 2"; "3:e" and "1:a" stay whole.
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])")
_LETTER_DIGIT = re.compile(r"([^\W\d_]+)(\d+)")
# After the split: "1 tx 2" -> "1 t x 2", "1 kapsx 1" -> "1 kaps x 1" ("1 max 2" stays).
_UNIT_X = re.compile(r"(?<=\d )(?!max )([^\W\d_]{1,12}?)x(?= \d)")
_WORD = re.compile(r"[^\W\d_]+")


def _number(value: float) -> str:
    return f"{value:.10g}"


def _glyph(match: re.Match[str]) -> str:
    whole = int(match.group(1)) if match.group(1) else 0
    return " " + _number(whole + _GLYPH_VALUE[match.group(2)])


def _proper(numerator: str, denominator: str) -> float | None:
    num, den = int(numerator), int(denominator)
    return num / den if 0 < num < den else None


def _mixed(match: re.Match[str]) -> str:
    part = _proper(match.group(2), match.group(3))
    return match.group() if part is None else _number(int(match.group(1)) + part)


def _fraction(match: re.Match[str]) -> str:
    part = _proper(match.group(1), match.group(2))
    return match.group() if part is None else _number(part)


def normalise_dosing_text(text: str, keep: frozenset[str] = frozenset()) -> str:
    """Lower case, one space between words, one spelling for dashes, decimals and fractions.

    "1½ Tabl.  x 2" -> "1.5 tabl. x 2"; "0,5" -> "0.5"; "1/2" -> "0.5"; "2ggr" -> "2 ggr".
    Texts differing only in case, spacing or number notation read the same. Names in
    ``keep`` ("d3", "b12") keep their digits.
    """
    t = text.lower()
    if not t.isascii():
        t = unicodedata.normalize("NFC", t).translate(_CHARACTERS)
        if "½" in t or "¼" in t or "¾" in t:
            t = _GLYPH.sub(_glyph, t)
    t = _CONTROL.sub(" ", t)
    if "," in t:
        t = _DECIMAL_COMMA.sub(".", t)
    if "*" in t:
        t = _TIMES_STAR.sub(" x ", t)
    if "/" in t:
        t = _MIXED_FRACTION.sub(_mixed, t)
        t = _FRACTION.sub(_fraction, t)
    t = _DIGIT_LETTER.sub(" ", t)
    t = _LETTER_DIGIT.sub(
        lambda m: m.group() if m.group().lower() in keep else f"{m.group(1)} {m.group(2)}", t
    )
    t = " ".join(t.split())
    return _UNIT_X.sub(r"\1 x", t)


# Lexicon word lists whose words a typo may be corrected to.
_CORRECTABLE = (
    "units",
    "parts_of_day.morning",
    "parts_of_day.noon",
    "parts_of_day.evening",
    "parts_of_day.night",
    "meals.morning",
    "meals.noon",
    "meals.evening",
    "meals.dinner",
    "times.words",
    "periods.day",
    "periods.week",
    "as_needed.phrases",
    "weekdays",
    "maximum.words",
    "every.every_other",
    "duration.days",
    "duration.weeks",
)


class Speller:
    """Corrects misspelt dosing words against one lexicon (results cached per word)."""

    def __init__(self, lex: Lexicon) -> None:
        self._known = lex.known_words
        self._min_length = lex.spelling_min_length
        words = {
            w
            for name in _CORRECTABLE
            for phrase in lex.words.get(name, ())
            for w in phrase.split()
            if len(w) >= self._min_length and w.isalpha()
        }
        self._candidates = tuple(sorted(words))
        self._folded = tuple(fold(w) for w in self._candidates)
        self._meaning = {w: _meaning(w, lex) for w in self._candidates}
        self._best = lru_cache(maxsize=65536)(self._closest)

    def correct(self, text: str) -> str:
        """The text with each misspelt dosing word replaced by its one close lexicon word."""
        return _WORD.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        word = match.group()
        if len(word) < self._min_length or key(word) in self._known:
            return word
        return self._best(word) or word

    def _closest(self, word: str) -> str | None:
        """The unique lexicon word one edit away (two for long words), same first letter."""
        limit = 2 if len(word) >= 8 else 1
        found = process.extract(
            fold(word), self._folded, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        if not found:
            return None
        best = min(score for _, score, _ in found)
        closest = sorted({self._candidates[i] for _, score, i in found if score == best})
        # "natte" is one letter from "natt" and from "natten": both mean the night
        if len({self._meaning[c] for c in closest}) != 1:
            return None
        candidate = closest[0]
        if fold(candidate[0]) != fold(word[0]):
            return None
        if len(word) < 5 and len(candidate) != len(word) + 1:
            return None  # a short word may only have lost a letter ("behv"), not changed one
        return candidate


def _meaning(word: str, lex: Lexicon) -> tuple[str, object]:
    """What a lexicon word stands for, so that spellings of one meaning count as one."""
    k = key(word)
    for kind, table in (
        ("unit", lex.unit_of),
        ("part", lex.slot_of_part),
        ("meal", lex.slot_of_meal),
        ("period", lex.period_of),
        ("weekday", lex.weekdays_of),
    ):
        if k in table:
            return kind, table[k]
    return "word", k

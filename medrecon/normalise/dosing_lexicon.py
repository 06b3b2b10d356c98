"""The vocabulary of the dosing parser (``rules/dosing.toml``) compiled into regexes, once.

The words are data a pharmacist can extend; this module turns them into one *master*
pattern that splits a normalised dosing text into tokens (amount, part of day, "2 gånger",
"dagligen", "vid behov", ...) in a single left-to-right pass, plus one detail pattern per
token kind that reads the numbers out of a token. The order of the alternatives in the
master pattern is the grammar's tie-break: at one position the first alternative that
matches wins, so longer constructions ("3 dagar i veckan", "2 gånger") come before the
plain amount ("3").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from medrecon.errors import MedreconError
from medrecon.normalise.dose_model import SLOTS
from medrecon.rules_path import rules_dir

NUM_DIGITS = r"\d+(?:\.\d+)?"
INTEGER = r"\d+"
# "1-2", "1–2" (dashes are normalised), "1 à 2", "1 a 2", "1 till 2", "1 eller 2".
RANGE_SEP = r"(?:\s*-\s*|\s*à\s*|\s+(?:a|till|eller)\s+)"
SLOT_INDEX = {name: i for i, name in enumerate(SLOTS)}
END = r"(?!\w)"  # a phrase must end at a word boundary ("vb" but not "vbx")

# Token kinds in the master pattern, in priority order. The kinds that start with a digit
# sit behind one "(?=\d)" guard so that a word is not tried against them (speed); "times"
# and "days_per_week" also start with a written number ("en gång", "tre dagar i veckan"),
# so they appear again among the word kinds under a second name.
DIGIT_KINDS = ("shorthand", "days_per_week", "times", "amount")
OTHER_KINDS = (
    "marker",
    "as_needed",
    "maximum",
    "duration",
    "every",
    "written_days_per_week",
    "written_times",
    "clock",
    "weekday_range",
    "weekday",
    "period",
    "part",
    "times_x",
    "word_amount",
    "harmless",
    "sep",
    "numberish",  # before "word": "²" and "⅓" count as letters for \w
    "word",
    "other",
)
TOKEN_KINDS = (*DIGIT_KINDS, *OTHER_KINDS)
# master group name -> the kind whose detail pattern reads it
KIND_OF = {k: k for k in TOKEN_KINDS} | {
    "written_days_per_week": "days_per_week",
    "written_times": "times",
}


def _alternation(phrases: list[str] | set[str] | tuple[str, ...], *, dot: bool = False) -> str:
    """A regex matching any phrase, longest first, with any white space between words."""
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        words = [re.escape(w).replace(r"\.", r"\.\s*") for w in phrase.split()]
        pattern = r"\s+".join(words)
        if dot and not phrase.endswith("."):
            pattern += r"\.?"
        parts.append(pattern)
    return "(?:" + "|".join(parts) + ")"


def _group(name: str | None, pattern: str) -> str:
    return f"(?P<{name}>{pattern})" if name else f"(?:{pattern})"


@dataclass(frozen=True)
class Lexicon:
    unit_of: dict[str, str | None]  # spelling -> canonical unit (None for "st")
    number_of: dict[str, float]  # written numbers: "två" -> 2, "en halv" -> 0.5
    ordinal_of: dict[str, int]  # "tredje" -> 3
    slot_of_part: dict[str, int]  # "morgonen" -> 0, "till natten" -> 3
    slot_of_hour: tuple[int, ...]  # 24 entries: clock hour -> slot index
    weekdays_of: dict[str, tuple[str, ...]]  # "mån" -> ("måndag",); "vardagar" -> 5 days
    marker_of: dict[str, str]  # phrase -> canonical marker
    every_unit_of: dict[str, str]  # "dag" -> "day", "vecka" -> "week", "timme" -> "hour"
    duration_days_of: dict[str, float]  # "dagar" -> 1, "veckor" -> 7
    uncertain: frozenset[str]
    master: re.Pattern[str]
    step_split: re.Pattern[str]
    step_word: re.Pattern[str]  # quick test whether a text has steps at all

    weekday_order: tuple[str, ...]  # ("måndag", ..., "söndag")

    def number(self, text: str) -> float:
        """The value of a number as matched by the lexicon's patterns."""
        if text[0].isdigit():
            whole, _, half = text.partition(" ")
            return float(whole) + (0.5 if half else 0.0)  # "1 och en halv"
        return self.number_of[key(text)]

    def unit(self, text: str | None) -> str | None:
        """The canonical unit of a matched unit word (None when absent or "st")."""
        return self.unit_of[key(text)] if text else None


def key(phrase: str) -> str:
    """Lookup key of a phrase: white space and a final dot do not matter ("tabl." = "tabl")."""
    return "".join(phrase.split()).rstrip(".")


def _strings(table: dict[str, object], key: str, path: Path) -> list[str]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MedreconError(
            f"Regelfilen {path.name} saknar en lista med ord under '{key}'.",
            title="Fel i regelfil",
        )
    return [v.lower() for v in value]


def build_lexicon(path: Path) -> Lexicon:
    """Read ``dosing.toml`` and compile the patterns. Raises ``MedreconError`` if unusable."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _compile(data, path)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise MedreconError(
            f"Regelfilen för doseringar ({path}) kunde inte läsas: {exc}",
            title="Fel i regelfil",
        ) from exc


def _compile(data: dict, path: Path) -> Lexicon:
    def words(table: str, name: str) -> list[str]:
        return _strings(data[table], name, path)

    # Each table maps a lookup key to its meaning; each spelling list feeds a regex.
    unit_of: dict[str, str | None] = {}
    for canonical in data["units"]:
        unit_of |= {key(s): canonical for s in words("units", canonical)}
    unit_of |= {key(s): None for s in words("pieces", "words")}
    unit_spellings = [s for c in data["units"] for s in words("units", c)]
    unit_spellings += words("pieces", "words")
    number_of = {key(k.lower()): float(v) for k, v in data["numbers"].items()}
    ordinal_of = {k.lower(): int(v) for k, v in data["ordinals"].items()}
    slot_of_part = {
        key(w): SLOT_INDEX[slot]
        for slot in data["parts_of_day"]
        for w in words("parts_of_day", slot)
    }
    slot_of_hour = [-1] * 24
    for slot, (first, last) in data["clock"].items():
        hour = int(first)
        while True:
            slot_of_hour[hour % 24] = SLOT_INDEX[slot]
            if hour % 24 == int(last) % 24:
                break
            hour += 1
    if -1 in slot_of_hour:
        raise ValueError("[clock] täcker inte dygnets alla timmar")
    weekday_order = tuple(d.lower() for d in data["weekdays"])
    weekdays_of: dict[str, tuple[str, ...]] = {
        key(s): (d,) for d in weekday_order for s in words("weekdays", d)
    }
    weekdays_of |= {key(g): tuple(words("weekday_groups", g)) for g in data["weekday_groups"]}
    weekday_spellings = [s for d in weekday_order for s in words("weekdays", d)]
    weekday_spellings += [g.lower() for g in data["weekday_groups"]]
    marker_of = {key(p): c for c in data["markers"] for p in words("markers", c)}
    every_unit_of = {w: "day" for w in words("every", "days")}
    every_unit_of |= {w: "week" for w in words("every", "weeks")}
    every_unit_of |= {w: "hour" for w in words("every", "hours")}
    duration_days_of = {w: 1.0 for w in words("duration", "days")}
    duration_days_of |= {w: 7.0 for w in words("duration", "weeks")}
    # A unit word left without a number is uncertain ("tablett morgon"), except the unit
    # "dos" ("Dos: 1 tablett dagligen") and one-letter abbreviations, which are too short
    # to tell from stray letters.
    unit_words = {s for s in unit_spellings if unit_of[key(s)] != "dos" and len(s) > 1}
    uncertain = frozenset(words("uncertain", "words")) | unit_words

    alt = {
        "unit": _alternation(unit_spellings, dot=True) + END,
        "numword": _alternation([k.lower() for k in data["numbers"]]) + END,
        "ordinal": _alternation(list(ordinal_of)) + END,
        "part": _alternation([w for s in data["parts_of_day"] for w in words("parts_of_day", s)])
        + END,
        "prefix": _alternation(words("part_prefixes", "words")),
        "weekday": _alternation(weekday_spellings, dot=True) + END,
        "marker": _alternation([p for c in data["markers"] for p in words("markers", c)]) + END,
        "as_needed": _alternation(words("as_needed", "phrases")) + END,
        "max": _alternation(words("maximum", "words")) + END,
        "per_day": _alternation(words("maximum", "per_day")) + END,
        "times": _alternation(words("times", "words"), dot=True) + END,
        "day": _alternation(words("periods", "day"), dot=True) + END,
        "week": _alternation(words("periods", "week")) + END,
        "every_other": _alternation(words("every", "every_other")),
        "every": _alternation(words("every", "every")),
        "every_unit": _alternation(list(every_unit_of)) + END,
        "dpw_days": _alternation(words("days_per_week", "days")),
        "dpw_week": _alternation(words("days_per_week", "per_week")) + END,
        "dur_prefix": _alternation(words("duration", "prefixes")),
        "dur_unit": _alternation(list(duration_days_of)) + END,
        "harmless": _alternation(words("harmless", "phrases")) + END,
    }
    # Each token kind is a named group whose inner groups are named "<kind>_<part>", so one
    # match of the master pattern gives every number of the token.
    digit = "|".join(_group(k, _pattern(KIND_OF[k], alt, f"{k}_")) for k in DIGIT_KINDS)
    other = "|".join(_group(k, _pattern(KIND_OF[k], alt, f"{k}_")) for k in OTHER_KINDS)
    # White space before a token belongs to its match: one step per token, not two.
    master = re.compile(rf"\s*(?:(?=\d)(?:{digit})|{other})")
    separators = _alternation(words("steps", "separators"))
    step_split = re.compile(rf"\s*[,;.]?\s*(?:och\s+)?{separators}{END}\s*[,:]?\s*")
    return Lexicon(
        unit_of=unit_of,
        number_of=number_of,
        ordinal_of=ordinal_of,
        slot_of_part=slot_of_part,
        slot_of_hour=tuple(slot_of_hour),
        weekdays_of=weekdays_of,
        marker_of=marker_of,
        every_unit_of=every_unit_of,
        duration_days_of=duration_days_of,
        uncertain=uncertain,
        master=master,
        step_split=step_split,
        step_word=re.compile(separators),
        weekday_order=weekday_order,
    )


def _pattern(kind: str, a: dict[str, str], n: str) -> str:
    """The pattern of one token kind; its inner groups are named with the prefix ``n``."""
    # "1 och en halv" is read here, not in the normaliser: in "kl 18 och en halv tablett"
    # the 18 is an hour.
    num = rf"(?:{NUM_DIGITS}(?:\s+och\s+en\s+halv{END})?|{a['numword']})"

    def g(name: str, pattern: str) -> str:
        return _group(n + name, pattern)

    def num_range() -> str:
        return f"{g('lo', num)}(?:{RANGE_SEP}{g('hi', num)})?"

    if kind == "marker":
        return a["marker"]
    if kind == "as_needed":
        return a["as_needed"]
    if kind == "maximum":
        per_times = rf"{num_range()}\s*(?:{g('times', a['times'])}|{g('unit', a['unit'])})?"
        by_hours = rf"{a['every']}\s+{g('hours', INTEGER)}(?::e|:a|e)?\s+{a['every_unit']}"
        return rf"{a['max']}\s*:?\s*(?:{per_times}\s*{a['per_day']}|{by_hours})"
    if kind == "duration":
        return rf"{a['dur_prefix']}\s+{g('n', num)}\s*{g('unit', a['dur_unit'])}"
    if kind == "every":
        nth = rf"(?:{g('n', INTEGER)}(?::e|:a|:de|:dje|e)?|{g('ord', a['ordinal'])})"
        other = g("other", a["every_other"])
        return rf"(?:{other}|{a['every']}\s+{nth})\s+{g('unit', a['every_unit'])}"
    if kind == "shorthand":
        plus = rf"{NUM_DIGITS}(?:\s*\+\s*{NUM_DIGITS}){{1,3}}"
        dash = rf"{NUM_DIGITS}(?:\s*-\s*{NUM_DIGITS}){{2,3}}"
        return rf"{g('values', f'{plus}|{dash}')}(?![\d.])(?:\s*{g('unit', a['unit'])})?"
    if kind == "days_per_week":
        return rf"{g('n', num)}\s*{a['dpw_days']}\s*{a['dpw_week']}"
    if kind == "times":
        return rf"{num_range()}\s*{a['times']}"
    if kind == "clock":
        # A number followed by a unit is an amount, not an hour ("kl 8 och 1 tablett kl
        # 20"); after "och" so is a number followed by a time ("kl 8 och 1 på kvällen",
        # "kl 12 och 10 kl 18") or by "vid behov".
        hour = r"\d{1,2}(?:[.:]\d{2})?(?![\d.])"
        first = rf"{hour}(?!\s*{a['unit']})"
        amount = rf"{a['unit']}|(?:{a['prefix']}\s+)?{a['part']}|{a['as_needed']}|kl\b"
        later = rf"{hour}(?!\s*(?:{amount}))"
        more = rf"(?:\s*(?:,|och|samt|&|/|\+)?\s*(?:(?:kl|klockan)\.?\s*)?{later})*"
        return rf"(?:kl|klockan)\.?\s*{g('hours', first + more)}"
    if kind == "weekday_range":
        first, last = g("first", a["weekday"]), g("last", a["weekday"])
        return rf"{first}\s*(?:-|till)\s*{last}"
    if kind == "weekday":
        return rf"(?:(?:på|varje|om)\s+)?{g('day', a['weekday'])}"
    if kind == "period":
        return rf"{g('week', a['week'])}|{g('day', a['day'])}"
    if kind == "part":
        return rf"(?:{a['prefix']}\s+)?{g('part', a['part'])}"
    if kind == "times_x":
        # "2 x 1 g" is not "2, once a day" followed by a stray "g"
        return rf"[x×]\s*{g('n', INTEGER)}{END}(?!\s*{a['unit']})"
    if kind == "amount":
        unit = g("unit", a["unit"])
        return rf"(?=\d){num_range()}(?:\s*{unit})?"
    if kind == "word_amount":
        # A written number is an amount only beside a unit or a time ("en tablett",
        # "en på morgonen"): "en" and "ett" are also articles ("tas med en måltid").
        context = (
            rf"(?=\s+(?:(?:{a['prefix']}\s+)?{a['part']}|{a['as_needed']}|[x×]|kl\b|klockan\b))"
        )
        return rf"{num_range()}(?:\s*{g('unit', a['unit'])}|{context})"
    if kind == "harmless":
        return a["harmless"]
    if kind == "sep":
        return r"(?:och|samt)(?!\w)|[,;:/&+().!?*'\"\-]"
    if kind == "word":
        return r"[^\W\d_]+"
    if kind == "numberish":
        return r"[\d\u00b2\u00b3\u00b9\u00bc-\u00be\u2070-\u209f\u2150-\u218b]"
    return r"."


@cache
def lexicon() -> Lexicon:
    """The lexicon built from the rules folder (read once per process)."""
    return build_lexicon(rules_dir() / "dosing.toml")

"""The vocabulary of the dosing reader (``rules/dosing.toml``) as lookup tables, read once.

The words are data a pharmacist can extend; ``patterns`` compiles them into the one master
regex that splits a text into tokens. A key the file does not know is refused with the
file, the key and its line (``medrecon.rules_files``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from medrecon.errors import MedreconError
from medrecon.normalise.dose_model import SLOTS
from medrecon.rules_files import TomlShape, read_rules_toml, rules_error
from medrecon.rules_path import rules_dir

SLOT_INDEX = {name: i for i, name in enumerate(SLOTS)}
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o"})


def fold(text: str) -> str:
    """The text without Swedish diacritics ("kväll" -> "kvall"), for lost-diacritic input."""
    return text.translate(_FOLD)


def key(phrase: str) -> str:
    """Lookup key: case, white space, dots and diacritics do not matter ("t. n." = "tn")."""
    return fold("".join(phrase.lower().split()).replace(".", ""))


def _words(*names: str) -> frozenset[str]:
    return frozenset(names)


SHAPE = TomlShape(
    sections={
        "units": None,
        "measures": None,
        "pieces": _words("words"),
        "implied_one": _words("units"),
        "countable": _words("units"),
        "numbers": None,
        "ordinals": None,
        "parts_of_day": _words("morning", "noon", "evening", "night", "unslotted"),
        "meals": _words(
            "morning", "noon", "evening", "dinner", "all_main_meals", "main_meal_count"
        ),
        "part_prefixes": _words("words"),
        "clock": _words("morning", "noon", "evening", "night"),
        "times": _words("words", "short"),
        "periods": _words("day", "week", "month", "year", "bare_day"),
        "every": _words("every_other", "every", "days", "weeks", "months", "hours", "change_words"),
        "days_per_week": _words("days", "per_week"),
        "alternate_dates": _words("phrases"),
        "monthly_day": _words("phrases"),
        "weekdays": None,
        "weekday_short": None,
        "weekday_groups": None,
        "weekday_except": _words("words", "rest"),
        "duration": _words("prefixes", "days", "weeks", "months", "first"),
        "as_needed": _words("phrases", "symptoms", "indications", "triggers"),
        "maximum": _words("words", "per_day", "per_week", "min_gap_words", "gap_tail"),
        "laterality": _words("both", "one"),
        "markers": None,
        "prefixes": _words("phrases"),
        "steps": _words(
            "separators",
            "ends",
            "numbered_days",
            "numbered_weeks",
            "once",
            "start",
            "increase",
            "decrease",
            "later",
        ),
        "spans": _words("units", "words", "control", "dilution", "threshold"),
        "per_weight": _words("phrases"),
        "amountless": _words("verbs"),
        "harmless": _words("phrases"),
        "negation": _words("words"),
        "restatement": _words("words"),
        "distributed": _words("phrases", "occasions"),
        "uncertain": _words("words"),
        "spelling": _words("known", "min_length"),
    },
    required=frozenset({"units", "numbers", "parts_of_day", "clock", "times", "periods"}),
)


@dataclass(frozen=True)
class Measure:
    unit: str
    amount: float


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Every word list of ``dosing.toml``, lower case, plus lookup tables keyed by ``key``."""

    words: Mapping[str, tuple[str, ...]]  # "section.name" -> spellings
    unit_of: Mapping[str, str | None]  # spelling key -> canonical unit (None for "st")
    measure_of: Mapping[str, Measure]  # "tesked" -> 5 ml
    number_of: Mapping[str, float]
    ordinal_of: Mapping[str, int]
    slot_of_part: Mapping[str, int]  # "morgonen" -> 0
    slot_of_meal: Mapping[str, int | None]  # "frukost" -> 0; "middag" -> None (dinner)
    slot_of_hour: tuple[int, ...]  # 24 entries
    weekdays_of: Mapping[str, tuple[str, ...]]
    weekday_order: tuple[str, ...]
    marker_of: Mapping[str, str]
    every_unit_of: Mapping[str, str]  # "dag" -> "day", "vecka" -> "week", ...
    duration_unit_of: Mapping[str, float]  # "dagar" -> 1, "veckor" -> 7, "månader" -> 30
    period_of: Mapping[str, str]  # "dagligen" -> "day", "/v" -> "week"
    main_meal_count: int
    uncertain: frozenset[str]
    known_words: frozenset[str]  # words the spelling correction leaves alone
    countable: frozenset[str]
    implied_one: frozenset[str]
    spelling_min_length: int

    def list(self, name: str) -> tuple[str, ...]:
        return self.words[name]

    def number(self, text: str) -> float:
        """The value of a number as matched by the patterns ("2", "1.5", "två", "1 och en halv")."""
        if text[0].isdigit():
            whole, _, rest = text.partition(" ")
            return float(whole) + (0.5 if rest else 0.0)
        return self.number_of[key(text)]

    def unit(self, text: str | None) -> str | None:
        return self.unit_of.get(key(text)) if text else None


def _strings(data: Mapping[str, Any], section: str, name: str, path: Path) -> tuple[str, ...]:
    value = data.get(section, {}).get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise rules_error(path, f"[{section}] {name} ska vara en lista med ord.")
    return tuple(v.lower() for v in value)


def _table(data: Mapping[str, Any], section: str, path: Path) -> dict[str, tuple[str, ...]]:
    """A section whose keys the pharmacist names, each holding a list of spellings."""
    return {name: _strings(data, section, name, path) for name in data.get(section, {})}


def _keyed(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    return {key(spelling): value for spelling, value in pairs}


def build_lexicon(path: Path) -> Lexicon:
    """Read ``dosing.toml``; a missing, misspelt or malformed entry raises ``MedreconError``."""
    data = read_rules_toml(path, SHAPE)
    try:
        return _build(data, path)
    except (KeyError, TypeError, ValueError) as exc:
        raise rules_error(path, f"kunde inte tolkas ({type(exc).__name__}: {exc}).") from exc


def _build(data: Mapping[str, Any], path: Path) -> Lexicon:
    words: dict[str, tuple[str, ...]] = {}
    for section, names in SHAPE.sections.items():
        if names is None or section == "clock":
            continue
        for name in names:
            if isinstance(data.get(section, {}).get(name), list):
                words[f"{section}.{name}"] = _strings(data, section, name, path)
    units = _table(data, "units", path)
    words["units"] = tuple(s for spellings in units.values() for s in spellings)
    words |= {f"units.{unit}": spellings for unit, spellings in units.items()}
    measures = {
        name: (
            Measure(str(v["unit"]), float(v["amount"])),
            tuple(s.lower() for s in v["spellings"]),
        )
        for name, v in data.get("measures", {}).items()
    }
    words["measures"] = tuple(s for _, spellings in measures.values() for s in spellings)
    unit_of: dict[str, str | None] = _keyed((s, unit) for unit, ss in units.items() for s in ss)
    unit_of |= _keyed((s, None) for s in words["pieces.words"])
    numbers = {k.lower(): float(v) for k, v in data["numbers"].items()}
    words["numbers"] = tuple(numbers)
    ordinals = {k.lower(): int(v) for k, v in data.get("ordinals", {}).items()}
    words["ordinals"] = tuple(ordinals)
    slot_of_part = _keyed(
        (s, SLOT_INDEX[slot]) for slot in SLOTS for s in words[f"parts_of_day.{slot}"]
    )
    slot_of_meal: dict[str, int | None] = _keyed(
        (s, SLOT_INDEX[slot])
        for slot in ("morning", "noon", "evening")
        for s in words.get(f"meals.{slot}", ())
    )
    slot_of_meal |= _keyed((s, None) for s in words.get("meals.dinner", ()))
    slot_of_hour = [-1] * 24
    for slot, (first, last) in data["clock"].items():
        hour = int(first)
        while True:
            slot_of_hour[hour % 24] = SLOT_INDEX[slot]
            if hour % 24 == int(last) % 24:
                break
            hour += 1
    if -1 in slot_of_hour:
        raise rules_error(path, "[clock] täcker inte dygnets alla timmar.")
    weekdays = _table(data, "weekdays", path)
    weekday_order = tuple(weekdays)
    short = _table(data, "weekday_short", path)
    groups = _table(data, "weekday_groups", path)
    weekdays_of = _keyed((s, (day,)) for day, ss in weekdays.items() for s in ss)
    weekdays_of |= _keyed((s, (day,)) for day, ss in short.items() for s in ss)
    weekdays_of |= _keyed((name, days) for name, days in groups.items())
    words["weekdays"] = tuple(s for ss in weekdays.values() for s in ss) + tuple(groups)
    words["weekday_short"] = tuple(s for ss in short.values() for s in ss)
    for day in (d for days in groups.values() for d in days):
        if day not in weekday_order:
            raise rules_error(path, f"[weekday_groups] nämner en okänd veckodag: {day}.")
    markers = _table(data, "markers", path)
    words["markers"] = tuple(s for ss in markers.values() for s in ss)
    marker_of = {key(s): canonical for canonical, ss in markers.items() for s in ss}
    every_unit_of = _keyed((s, "day") for s in words["every.days"])
    every_unit_of |= _keyed((s, "week") for s in words["every.weeks"])
    every_unit_of |= _keyed((s, "month") for s in words["every.months"])
    every_unit_of |= _keyed((s, "hour") for s in words["every.hours"])
    duration_unit_of = _keyed((s, 1.0) for s in words["duration.days"])
    duration_unit_of |= _keyed((s, 7.0) for s in words["duration.weeks"])
    duration_unit_of |= _keyed((s, 30.0) for s in words["duration.months"])
    period_of = {
        key(s): period
        for period in ("day", "week", "month", "year")
        for s in words[f"periods.{period}"]
    }
    countable = frozenset(words["countable.units"])
    unknown_units = countable - set(units)
    if unknown_units:
        raise rules_error(path, f"[countable] nämner okända enheter: {sorted(unknown_units)}.")
    # A unit word left without a number is uncertain ("tablett morgon"), except one-letter
    # abbreviations, too short to tell from stray letters.
    unit_words = {key(s) for s in words["units"] if len(key(s)) > 1}
    uncertain = frozenset(key(w) for w in words["uncertain.words"]) | unit_words
    known = {key(w) for phrases in words.values() for p in phrases for w in p.split()}
    known |= {key(w) for w in words.get("spelling.known", ())}
    return Lexicon(
        words=words,
        unit_of=unit_of,
        measure_of=_keyed((s, m) for m, ss in measures.values() for s in ss),
        number_of=_keyed(numbers.items()),
        ordinal_of=_keyed(ordinals.items()),
        slot_of_part=slot_of_part,
        slot_of_meal=slot_of_meal,
        slot_of_hour=tuple(slot_of_hour),
        weekdays_of=weekdays_of,
        weekday_order=weekday_order,
        marker_of=marker_of,
        every_unit_of=every_unit_of,
        duration_unit_of=duration_unit_of,
        period_of=period_of,
        main_meal_count=int(data.get("meals", {}).get("main_meal_count", 3)),
        uncertain=uncertain,
        known_words=frozenset(known),
        countable=countable,
        implied_one=frozenset(words.get("implied_one.units", ())),
        spelling_min_length=int(data.get("spelling", {}).get("min_length", 4)),
    )


@cache
def lexicon() -> Lexicon:
    """The lexicon of the rules folder (read once per process)."""
    path = rules_dir() / "dosing.toml"
    if not path.is_file():
        raise MedreconError(f"Regelfilen {path} saknas.", title="Fel i regelfil")
    return build_lexicon(path)

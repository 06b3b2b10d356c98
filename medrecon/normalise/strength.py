"""Strength texts (``Styrka`` or the strength inside a product text) as value and unit.

``500 mg``, ``0,5 g``, ``75 mikrogram``/``75 µg``/``75 mcg``, ``100 E/ml``, ``20 mg/ml``,
``160 mg/800 mg``, ``5 %``, ``10 mg/dos``, ``12 mikrog/timme``, ``250 mg/5 ml`` are read into
one value per component with mass in mg, volume in ml and (international) units in E.
The conversion tables are data in ``rules/units.toml``. A text without a recognisable
number and unit gives None: a strength is never guessed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path

from medrecon.rules_files import TomlShape, read_rules_toml
from medrecon.rules_path import rules_dir

_TOKEN = re.compile(
    r"(?P<num>(?<![a-zåäöµμ0-9])\d+(?:[.,]\d+)?)"
    r"|(?P<word>[a-zåäöµμ%][a-zåäöµμ0-9]*)"
    r"|(?P<sep>[/+])"
    r"|(?P<other>\S)"
)
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})[ \u00a0](000)(?![\d])")


@dataclass(frozen=True)
class UnitTables:
    quantity: dict[str, tuple[str, float]]  # written unit -> (canonical unit, factor)
    per: dict[str, str]  # denominator word -> canonical denominator
    skipped: re.Pattern[str] | None = None  # words between a number and its unit


_UNITS_SHAPE = TomlShape(
    sections={
        "mass_to_mg": None,  # written unit -> factor
        "volume_to_ml": None,
        "units_to_e": None,
        "other": None,  # written unit -> canonical unit
        "per": None,  # denominator word -> canonical denominator
        "skipped": frozenset({"phrases"}),
    }
)


@functools.lru_cache(maxsize=4)
def _load_units(folder: str) -> UnitTables:
    data = read_rules_toml(Path(folder) / "units.toml", _UNITS_SHAPE)
    quantity: dict[str, tuple[str, float]] = {}
    for word, factor in data.get("mass_to_mg", {}).items():
        quantity[word.lower()] = ("mg", float(factor))
    for word, factor in data.get("volume_to_ml", {}).items():
        quantity[word.lower()] = ("ml", float(factor))
    for word, factor in data.get("units_to_e", {}).items():
        quantity[word.lower()] = ("E", float(factor))
    for word, canonical in data.get("other", {}).items():
        quantity[word.lower()] = (str(canonical), 1.0)
    per = {word.lower(): str(canonical) for word, canonical in data.get("per", {}).items()}
    phrases = [str(p).lower() for p in data.get("skipped", {}).get("phrases", [])]
    skipped = (
        re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))
        if phrases
        else None
    )
    return UnitTables(quantity, per, skipped)


def unit_tables() -> UnitTables:
    return _load_units(str(rules_dir()))


@dataclass(frozen=True)
class Strength:
    """A normalised strength: one value per component, all in ``unit`` (or ``units``)."""

    values: tuple[float, ...]
    unit: str  # "mg", "mg/ml", "E/ml", "mg/timme", "%", or "mg + E" for mixed components
    start: int = 0  # where the strength was found in the text it was read from
    end: int = 0
    units: tuple[str, ...] = ()  # each value's own unit ("mg", "E"), without the "/..." part
    per: str = ""  # the denominator after "/" ("ml", "dos", "timme"), "" when none
    micro: bool = False  # a mass was written in µg/mikrogram (shown in µg again)
    # The product's first-written component's value when ``values`` were put in another
    # order; ``value`` (and so the daily amount) stays that component's, as before.
    lead: float | None = None

    def component_units(self) -> tuple[str, ...]:
        """Each value's full unit ("mg/ml", "E"), in the order of ``values``."""
        units = self.units or (self.first_unit.split("/")[0],) * len(self.values)
        return tuple(f"{u}/{self.per}" if self.per else u for u in units)

    def reordered(self, order: tuple[int, ...] | list[int]) -> Strength:
        """The same strength with its values (and their units) in the given index order.

        ``unit`` ("mg + E") names the units once each in the order written, not per value,
        so it stays as it is; ``value`` stays the first-written component's.
        """
        values = tuple(self.values[i] for i in order)
        units = tuple(self.units[i] for i in order) if self.units else ()
        return Strength(
            values, self.unit, self.start, self.end, units, self.per, self.micro, self.value
        )

    @property
    def value(self) -> float:
        return self.values[0] if self.lead is None else self.lead

    @property
    def first_unit(self) -> str:
        """Unit of the first component (the unit of ``value``)."""
        return self.unit.split(" + ")[0]


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        out.append(_Token(kind, m.group(), m.start(), m.end()))
    return out


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _parse_at(tokens: list[_Token], i: int, units: UnitTables) -> tuple[Strength, int] | None:
    """Try to read a strength expression starting at token ``i`` (a number)."""
    comps: list[tuple[float, tuple[str, float] | None]] = []
    per_unit: str | None = None
    per_count = 1.0
    end = tokens[i].end
    j = i
    while j < len(tokens) and tokens[j].kind == "num":
        value = _number(tokens[j].text)
        unit = None
        end = tokens[j].end
        j += 1
        if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text in units.quantity:
            unit = units.quantity[tokens[j].text]
            end = tokens[j].end
            j += 1
        comps.append((value, unit))
        if not (j < len(tokens) and tokens[j].kind == "sep"):
            break
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        after = tokens[j + 2] if j + 2 < len(tokens) else None
        has_unit = any(c[1] for c in comps)
        if nxt is not None and nxt.kind == "word" and nxt.text in units.per and has_unit:
            per_unit, end, j = units.per[nxt.text], nxt.end, j + 2
            break
        if (
            nxt is not None
            and nxt.kind == "num"
            and after is not None
            and after.kind == "word"
            and has_unit
            and _is_denominator(after.text, comps, units)
        ):
            per_count = _number(nxt.text)
            per_unit = units.per.get(after.text) or units.quantity[after.text][0]
            if per_count == 24 and per_unit == "timme":
                per_unit, per_count = "dygn", 1.0
            end, j = after.end, j + 3
            break
        if nxt is None or nxt.kind != "num":
            break
        j += 1
    if not any(c[1] for c in comps):
        return None
    # "50/12,5 mg": components without a unit take the next unit written after them
    filled: list[tuple[float, tuple[str, float]]] = []
    pending: list[float] = []
    for value, unit in comps:
        if unit is None:
            pending.append(value)
            continue
        filled.extend((v, unit) for v in pending)
        pending = []
        filled.append((value, unit))
    if pending:
        last = filled[-1][1]
        filled.extend((v, last) for v in pending)
    values = tuple(round(v * factor / (per_count or 1.0), 10) for v, (_, factor) in filled)
    own_units = tuple(unit for _, (unit, _) in filled)
    unit_text = " + ".join(dict.fromkeys(own_units))
    micro = any(unit == "mg" and factor < 1.0 for _, (unit, factor) in filled)
    if per_unit:
        if per_count not in (0.0, 1.0) and per_unit not in ("ml", "timme", "dos", "g"):
            per_unit = f"{_format_count(per_count)} {per_unit}"
            values = tuple(round(v * per_count, 10) for v in values)
        unit_text = f"{unit_text}/{per_unit}"
    found = Strength(values, unit_text, tokens[i].start, end, own_units, per_unit or "", micro)
    return found, j


def _format_count(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _is_denominator(word: str, comps: list, units: UnitTables) -> bool:
    """'250 mg/5 ml' or '25 mg/16 timmar': a counted volume or time after a mass."""
    if word in units.per and word not in units.quantity:
        return True
    if word in units.quantity and units.quantity[word][0] == "ml":
        return any(c[1] and c[1][0] != "ml" for c in comps)
    return False


def _prepare(text: str) -> str:
    prepared = _THOUSANDS.sub(r"\1\2", text.lower())
    skipped = unit_tables().skipped
    return skipped.sub(lambda m: " " * len(m.group()), prepared) if skipped else prepared


def find_strength(text: str | None) -> Strength | None:
    """The first strength expression inside a longer text (a product text)."""
    if not text:
        return None
    prepared = _prepare(text)
    units = unit_tables()
    tokens = _tokens(prepared)
    for i, token in enumerate(tokens):
        if token.kind == "num":
            found = _parse_at(tokens, i, units)
            if found is not None:
                return found[0]
    return None


def parse_strength(text: str | None) -> Strength | None:
    """Read a strength text such as ``500 mg`` or ``160 mg/800 mg``; None if not understood.

    The text may carry words around the strength (``Alvedon 500 mg``); the first
    number-with-unit expression is read.
    """
    return find_strength(text)


def strip_strengths(text: str) -> str:
    """The text with every strength expression removed (used before name matching)."""
    prepared = _prepare(text)
    units = unit_tables()
    tokens = _tokens(prepared)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if tokens[i].kind == "num":
            found = _parse_at(tokens, i, units)
            if found is not None:
                spans.append((found[0].start, found[0].end))
                i = max(found[1], i + 1)
                continue
        i += 1
    out = prepared
    for start, end in reversed(spans):
        out = out[:start] + " " + out[end:]
    return out


def format_strength(values: tuple[float, ...] | list[float], unit: str) -> str:
    """Swedish rendering: ``0,075 mg``, ``160 + 4,5 mg/dos``."""
    numbers = " + ".join(_format_number(v) for v in values)
    return f"{numbers} {unit}"


def _format_number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def components_of(
    strength: Strength | None, order: tuple[str, ...] | None
) -> list[tuple[str, float, str]] | None:
    """(component, value, unit) in the product's own order, or None when it is not known.

    ``order`` is the combination's components in the order its product writes the
    strengths (``Catalogue.component_order``); the values of ``strength`` are in that order
    when it was read from the text. A count that does not match is never paired up.
    """
    if strength is None or not order or len(order) < 2 or len(order) != len(strength.values):
        return None
    return list(zip(order, strength.values, strength.component_units(), strict=True))


def in_substance_order(strength: Strength, order: tuple[str, ...] | None) -> Strength:
    """The strength with its values in alphabetical order of the components (as the
    ``substances`` column lists them); unchanged when the pairing is not known."""
    if not order or len(order) < 2 or len(order) != len(strength.values):
        return strength
    return strength.reordered(sorted(range(len(order)), key=lambda i: order[i]))


def as_reference(
    strength: Strength, same_dose: dict[float, float] | None, conversion: tuple[str, float] | None
) -> Strength:
    """The strength in the reference labelling of its substance (a single-substance line).

    "Metoprolol Sandoz 47,5 mg" (succinate) becomes 50 mg, the tartrate label of the same
    dose; "kolekalciferol 800 IE" becomes 0,02 mg (rules/strength_equivalents.csv).
    """
    if len(strength.values) != 1:
        return strength
    value = strength.values[0]
    if same_dose:
        mapped = same_dose.get(round(value, 9))
        if mapped is not None:
            return replace(strength, values=(mapped,))
    if conversion is not None:
        unit, factor = conversion
        base = unit.split("/")[0]
        return replace(strength, values=(round(value * factor, 10),), unit=unit, units=(base,))
    return strength


_BARE_RATIO = re.compile(r"(?<![\d.,/])(\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d+)?)(?![\d.,/])")


def bare_ratio_strength(text: str | None, unit: str) -> Strength | None:
    """ "Symbicort TH 160/4,5": a combination's strengths written without a unit, read in
    the unit the catalogue gives for that combination ("mikrog/dos")."""
    if not text:
        return None
    found = _BARE_RATIO.search(text)
    if found is None:
        return None
    return parse_strength(f"{found.group(1)} {unit.split('/')[0]}/{found.group(2)} {unit}")

"""Numbers, counts and amounts written the way a Swedish nurse or pharmacist reads them.

The one place for this wording: ``medrecon explain``, the engine's explanations, the TUI,
the handover and the Excel report all use it, in plain Python (one value) or as polars
expressions (a whole column). A property test proves the two forms give the same text.

- numbers: decimal comma, at most three significant digits (whole from 100 up), no
  trailing zeros: ``0,571``, ``12,5``, ``286``, ``1000``;
- counts: ``1 tablett``, ``2 tabletter``, ``1,5 tabletter``, ``3 droppar``;
- masses in mg shown in µg when the strength was written in µg (``75 µg``) and in g
  from 1000 mg (``3 g``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

# Singular -> plural of every dose unit medrecon writes (rules/dosing.toml's canonical
# units) and of the few other counted words; a unit not listed is the same in both
# (ml, mg, E, plåster).
PLURAL = {
    "tablett": "tabletter",
    "kapsel": "kapslar",
    "droppe": "droppar",
    "puff": "puffar",
    "dos": "doser",
    "påse": "påsar",
    "suppositorium": "suppositorier",
    "vagitorium": "vagitorier",
    "ampull": "ampuller",
    "injektion": "injektioner",
    "spruta": "sprutor",
    "strimma": "strimmor",
    "klysma": "klysmor",
    "rad": "rader",
    "gång": "gånger",
    "dag": "dagar",
}
# How a canonical unit is shown (the rest as written).
UNIT_SHOWN = {"mikrog": "µg"}
SLOT_PHRASE = ("på morgonen", "mitt på dagen", "på kvällen", "till natten")
_WHOLE_FROM = 100.0
_SIGNIFICANT = 3
_NOTHING_BELOW = 1e-5  # no dose is this small (0,01 µg): shown as 0


def _rounded(value: float) -> float:
    """Half away from zero, in the same float operations as ``number`` below (so the two
    forms agree to the last digit)."""
    size = abs(value)
    if size < _NOTHING_BELOW or not math.isfinite(value):
        return 0.0 if size < _NOTHING_BELOW else value
    if size >= _WHOLE_FROM:
        return math.copysign(math.floor(size + 0.5), value)
    scale = 10.0 ** (_SIGNIFICANT - 1 - math.floor(math.log10(size)))
    return math.copysign(math.floor(size * scale + 0.5) / scale, value)


def format_number(value: float | None) -> str:
    """``0,571``, ``12,5``, ``286``; ``–`` for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    rounded = _rounded(float(value))
    size = abs(rounded)
    digits = (
        0
        if size >= _WHOLE_FROM or size == 0
        else max(0, _SIGNIFICANT - 1 - math.floor(math.log10(size)))
    )
    text = f"{rounded:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace(".", ",")


def number(expr: pl.Expr) -> pl.Expr:
    """``format_number`` for a whole column (null stays null)."""
    size = expr.abs()
    scale = pl.lit(10.0).pow(_SIGNIFICANT - 1 - size.log10().floor())
    magnitude = (
        pl.when(size >= _WHOLE_FROM)
        .then((size + 0.5).floor())
        .otherwise((size * scale + 0.5).floor() / scale)
    )
    rounded = pl.when(expr < 0).then(-magnitude).otherwise(magnitude)
    text = pl.when(size < _NOTHING_BELOW).then(pl.lit("0")).otherwise(rounded.cast(pl.String))
    return text.str.replace(r"\.0$", "").str.replace(".", ",", literal=True)


def unit_text(unit: str | None, value: float | None = None) -> str:
    """A unit as shown, in plural for more than one (``tabletter``, ``µg``)."""
    if not unit:
        return ""
    shown = UNIT_SHOWN.get(unit, unit)
    return PLURAL.get(shown, shown) if value is not None and value > 1 else shown


def format_count(value: float | None, unit: str | None) -> str:
    """An amount of a dose unit with the right number: ``1 tablett``, ``1,5 tabletter``."""
    number_text = format_number(value)
    return f"{number_text} {unit_text(unit, value)}" if unit else number_text


def format_mass(value_mg: float | None, *, micro: bool = False) -> str:
    """A mass in mg: in µg when written in µg and below 1 mg, in g from 1000 mg."""
    if value_mg is not None and micro and abs(value_mg) < 1:
        return f"{format_number(value_mg * 1000)} µg"
    if value_mg is not None and not micro and abs(value_mg) >= 1000:
        return f"{format_number(value_mg / 1000)} g"
    return f"{format_number(value_mg)} mg"


def format_amount(value: float | None, unit: str | None, *, micro: bool = False) -> str:
    """A value in a normalised unit (``mg``, ``mg/ml``, ``E``, ``tablett``, ...)."""
    if not unit:
        return format_number(value)
    base, slash, per = unit.partition("/")
    if base == "mg":
        mass = format_mass(value, micro=micro)
        return f"{mass}/{per}" if slash else mass
    if not slash:
        return format_count(value, unit)
    return f"{format_number(value)} {unit}"


def format_slots(slots: Sequence[float | None], unit: str | None) -> str:
    """Amounts at the dispensing times: ``1 tablett på morgonen, 2 på kvällen``.

    The unit is written once, after the first amount, so that the line does not read as a
    range or a list of products.
    """
    parts: list[str] = []
    for amount_value, phrase in zip(slots, SLOT_PHRASE, strict=False):
        if not amount_value:
            continue
        text = format_count(amount_value, unit) if not parts else format_number(amount_value)
        parts.append(f"{text} {phrase}")
    return ", ".join(parts)


# --- the same as polars expressions ------------------------------------------------------


def _span(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    """``3`` or ``3–6``: each number formatted once."""
    high_text = number(high)
    same = low.is_null() | ((low - high).abs() <= 1e-9 * high.abs())
    return (
        pl.when(same).then(high_text).otherwise(pl.concat_str(number(low), pl.lit("–"), high_text))
    )


def _per(per: str | pl.Expr) -> pl.Expr:
    return pl.lit(per) if isinstance(per, str) else per


def unit_word(unit: pl.Expr, count: pl.Expr) -> pl.Expr:
    """``tablett`` for at most one, ``tabletter`` for more (``unit_text`` for a column)."""
    shown = unit.replace(UNIT_SHOWN)
    return pl.when(count <= 1).then(shown).otherwise(shown.replace(PLURAL))


def counted(low: pl.Expr, high: pl.Expr, unit: pl.Expr, per: str | pl.Expr = "") -> pl.Expr:
    """``1 tablett``, ``2 tabletter``, ``3–6 tabletter/dygn`` (null when unit is null)."""
    return pl.concat_str(_span(low, high), pl.lit(" "), unit_word(unit, high), _per(per))


def amount_range(
    low: pl.Expr, high: pl.Expr, unit: pl.Expr, micro: pl.Expr, per: str | pl.Expr = "/dygn"
) -> pl.Expr:
    """``3 g/dygn`` or ``1,5–3 g/dygn`` (``format_mass`` for a column)."""
    is_mg = unit == "mg"
    in_micro = is_mg & micro & (high.abs() < 1)
    in_grams = is_mg & ~micro & (high.abs() >= 1000)
    factor = pl.when(in_micro).then(1000.0).when(in_grams).then(0.001).otherwise(1.0)
    shown_unit = pl.when(in_micro).then(pl.lit("µg")).when(in_grams).then(pl.lit("g"))
    return pl.concat_str(
        _span(low * factor, high * factor),
        pl.lit(" "),
        shown_unit.otherwise(unit.replace(UNIT_SHOWN)),
        _per(per),
    )


def amount(value: pl.Expr, unit: pl.Expr, micro: pl.Expr, per: str | pl.Expr = "/dygn") -> pl.Expr:
    """One amount with its unit and period (see ``amount_range``)."""
    return amount_range(pl.lit(None, pl.Float64), value, unit, micro, per)


# Strength texts written in micrograms ("75 mikrogram", "100 µg", "50 mcg").
_MICRO_PATTERN = r"(?i)(µg|μg|mikrogram|mikrog|mcg|\d\s*ug\b)"


def given_in_micrograms(strength_text: pl.Expr) -> pl.Expr:
    """True when the exported strength is written in micrograms."""
    return strength_text.str.contains(_MICRO_PATTERN).fill_null(False)

"""Numbers, amounts and dose units written the way a Swedish nurse or pharmacist reads them.

One place for the formatting that ``medrecon explain`` (and the engine's explanations, the
TUI or the report, if they like) use, so that the same amount looks the same everywhere:

- ``format_number(0.571429)`` -> ``"0,57"``, ``285.714286`` -> ``"286"``, ``12.5`` -> ``"12,5"``
  (decimal comma; at most three significant digits, never a long tail);
- ``format_count(2, "tablett")`` -> ``"2 tabletter"``, ``(1, "tablett")`` -> ``"1 tablett"``,
  ``(2, "droppe")`` -> ``"2 droppar"``; unknown units are kept as given;
- ``format_mass(0.075, micro=True)`` -> ``"75 µg"`` (a mass in mg, shown in µg below 1 mg
  when the strength was written in µg), ``format_mass(1000)`` -> ``"1000 mg"``;
- ``format_amount(value, unit, micro=False)``: a value in a normalised unit ("mg", "mg/ml",
  "mg/timme", "E", "ml", ...) with µg where ``micro`` says so: ``(0.01, "mg/timme", True)``
  -> ``"10 µg/timme"``;
- ``format_slots((1, 0, 2, 0), "tablett")`` -> ``"1 tablett på morgonen, 2 på kvällen"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["format_amount", "format_count", "format_mass", "format_number", "format_slots"]

# Singular and plural of the dose units of ``rules/dosing.toml`` (canonical spelling).
PLURAL = {
    "tablett": "tabletter",
    "kapsel": "kapslar",
    "droppe": "droppar",
    "puff": "puffar",
    "dos": "doser",
    "sugtablett": "sugtabletter",
    "brustablett": "brustabletter",
    "suppositorium": "suppositorier",
    "portion": "portioner",
    "injektion": "injektioner",
    "ampull": "ampuller",
    "plåster": "plåster",
}
SLOT_PHRASE = ("på morgonen", "mitt på dagen", "på kvällen", "till natten")


def format_number(value: float | None) -> str:
    """Decimal comma, at most three significant digits (two below 1), no trailing zeros.

    ``None`` -> ``"–"``. Whole numbers of any size are kept whole (``1000``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == 0:
        decimals = 0
    elif magnitude >= 1:
        decimals = 2 - math.floor(math.log10(magnitude))  # 12,5 / 1,25
    else:
        decimals = 1 - math.floor(math.log10(magnitude))  # 0,57 / 0,0045
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text.replace(".", ",")


def format_count(value: float | None, unit: str | None) -> str:
    """An amount of a dose unit with the right number: ``1 tablett``, ``1,5 tabletter``."""
    number = format_number(value)
    if not unit:
        return number
    word = PLURAL.get(unit, unit) if value is not None and value > 1 else unit
    return f"{number} {word}"


def format_mass(value_mg: float | None, *, micro: bool = False) -> str:
    """A mass in mg; in µg when ``micro`` (written in µg) and below 1 mg."""
    if micro and value_mg is not None and abs(value_mg) < 1:
        return f"{format_number(value_mg * 1000)} µg"
    return f"{format_number(value_mg)} mg"


def format_amount(value: float | None, unit: str | None, *, micro: bool = False) -> str:
    """A value in a normalised unit (``mg``, ``mg/ml``, ``E``, ``tablett``, ...)."""
    if not unit:
        return format_number(value)
    base, slash, per = unit.partition("/")
    if base == "mg":
        mass = format_mass(value, micro=micro)
        return f"{mass}/{per}" if slash else mass
    if not slash and unit in PLURAL:
        return format_count(value, unit)
    return f"{format_number(value)} {unit}"


def format_slots(slots: Sequence[float | None], unit: str | None) -> str:
    """Amounts at the dispensing times: ``1 tablett på morgonen, 2 på kvällen``.

    The unit is written once, after the first amount, so that the line does not read as a
    range or a list of products.
    """
    parts: list[str] = []
    for amount, phrase in zip(slots, SLOT_PHRASE, strict=False):
        if not amount:
            continue
        text = format_count(amount, unit) if not parts else format_number(amount)
        parts.append(f"{text} {phrase}")
    return ", ".join(parts)

"""``medrecon explain "TEXT"``: how medrecon reads a product text or a dosing text.

For a pharmacist who wants to trust a reading or report what it gets wrong: the
substance(s), ATC, how they were found and how sure, strength, form class and route of a
product text; the parsed dose and the daily amount of a dosing text. Whatever is not
understood is said plainly. The text goes through the same pipeline as an export line.
"""

from __future__ import annotations

import argparse
from typing import Any

from medrecon.normalise.catalogue import load_catalogue
from medrecon.normalise.display import (
    format_amount,
    format_count,
    format_number,
    format_slots,
)
from medrecon.normalise.dose_model import DoseReading
from medrecon.normalise.dosing import parse_dosing
from medrecon.normalise.forms import form_label, route_label
from medrecon.normalise.pipeline import MARKER_DURATION, MARKER_STEPS, read_product_text
from medrecon.normalise.strength import Strength, components_of, parse_strength

RESOLUTION_LABEL = {
    "npl": "NPL-id",
    "atc": "ATC-kod",
    "substance": "substansnamn",
    "brand": "handelsnamn",
    "generic": "substansnamn i produkttexten",
    "fuzzy": "liknande stavning (osäker matchning – kontrollera)",
    "unresolved": "inte förstådd",
}
SLOT_COLUMNS = ("slot_morning", "slot_noon", "slot_evening", "slot_night")
# With --strength alone, amounts without a unit ("1x2") are counted in pieces, as the
# pipeline does for a tablet or capsule form.
PIECE_FORM = "tablett"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="visar hur medrecon läser en produkttext eller doseringstext",
        description=(
            "Visar hur medrecon läser en produkttext (substans, ATC, styrka, beredningsform, "
            "administreringsväg) eller en doseringstext (dos, tidpunkter, dygnsdos)."
        ),
    )
    parser.add_argument("text", metavar="TEXT", help='t.ex. "Alvedon 500 mg" eller "1x2"')
    parser.add_argument(
        "--kind",
        choices=("product", "dosing", "auto"),
        default="auto",
        help="product = produkttext, dosing = doseringstext, auto = visa det som förstås",
    )
    parser.add_argument(
        "--strength",
        metavar="STYRKA",
        help='styrka för att räkna dygnsdos av en doseringstext, t.ex. "500 mg"',
    )
    parser.add_argument(
        "--product",
        metavar="PRODUKT",
        help="produkttext att räkna dygnsdos med (styrka och form tas därifrån)",
    )
    parser.set_defaults(func=run)


def _strength_lines(text: str, strength_text: str | None, reading: dict[str, Any]) -> str:
    """Strength per component in the product's order: ``paracetamol 500 mg + kodein 30 mg``."""
    values, unit = reading["strength_values"], reading["strength_unit"]
    strength = parse_strength(strength_text) or parse_strength(text)
    micro = strength is not None and strength.micro
    substances = tuple(reading["substances"] or ())
    if len(substances) < 2 or strength is None:
        return " + ".join(format_amount(v, unit, micro=micro) for v in values)
    order = load_catalogue().component_order.get(substances)
    components = components_of(strength, order)
    if components is None:
        written = " + ".join(format_amount(v, unit, micro=micro) for v in values)
        return f"{written} (vilken styrka som hör till vilken substans är okänt)"
    return " + ".join(f"{name} {format_amount(v, u, micro=micro)}" for name, v, u in components)


def product_lines(
    text: str, reading: dict[str, Any], strength_text: str | None = None
) -> list[str]:
    lines = [f"Produkttext: {text}"]
    if reading["resolution"] == "unresolved":
        lines.append(
            "  Substans:          INTE FÖRSTÅDD – medrecon gissar inte. Raden visas som olöst "
            "i avstämningen."
        )
    else:
        lines.append(f"  Substans:          {reading['substance']}")
        score = reading["resolution_score"]
        how = RESOLUTION_LABEL.get(reading["resolution"], reading["resolution"])
        lines.append(f"  Hittad via:        {how} (säkerhet {format_number(score)})")
    lines.append(f"  ATC-kod:           {reading['resolved_atc'] or 'okänd'}")
    if reading["strength_values"]:
        lines.append(f"  Styrka:            {_strength_lines(text, strength_text, reading)}")
    else:
        lines.append("  Styrka:            inte angiven eller inte förstådd")
    form = reading["form_class"]
    if form == "unknown":
        lines.append("  Beredningsform:    okänd (jämförs inte)")
    else:
        lines.append(f"  Beredningsform:    {form_label(form)} [{form}]")
    route = reading["route"]
    lines.append(
        f"  Administreringsväg: {route_label(route)}"
        + (" (härledd från beredningsformen)" if route else " (jämförs inte)")
    )
    return lines


def _interval_text(interval: float | None, weekdays: tuple[str, ...]) -> str | None:
    if weekdays:
        return "på " + ", ".join(weekdays)
    if interval is None or interval == 1:
        return None
    if interval == 7:
        return "en gång i veckan"
    if interval == int(interval):
        return "varannan dag" if interval == 2 else f"var {format_number(interval)}:e dag"
    return f"var {format_number(interval)}:e dag i genomsnitt"


def describe_step(step: DoseReading) -> str:
    """One understood step in plain Swedish: ``1 tablett 2 gånger per dag i 10 dagar``."""
    parts: list[str] = []
    if step.slots and any(step.slots):
        parts.append(format_slots(step.slots, step.unit))
    elif step.amount_max is not None:
        low, high = step.amount_min, step.amount_max
        if low is not None and low != high:
            parts.append(f"{format_number(low)}–{format_count(high, step.unit)}")
        else:
            parts.append(format_count(high, step.unit))
        if step.unit is None:
            parts.append("(enhet ej angiven)")
        times = step.times_per_day
        if times is not None:
            parts.append(f"{format_number(times)} {'gång' if times == 1 else 'gånger'} per dag")
    every = _interval_text(step.interval_days, step.weekdays)
    if every:
        parts.append(every)
    if step.as_needed:
        parts.append("vid behov")
    if step.duration_days is not None:
        parts.append(f"i {format_number(step.duration_days)} dagar")
    return " ".join(parts)


def _schedule_lines(parsed: DoseReading) -> list[str]:
    """The steps and duration of a reading that is no standing dose."""
    lines = [
        "  Stegvis eller tidsbegränsad dosering – ingen fast dos att jämföra. Skiljer sig "
        "texten från andra systemets blir det 'Dosering behöver granskas'."
    ]
    steps = (parsed, *parsed.steps)
    for number, step in enumerate(steps, start=1):
        label = f"Steg {number}:" if len(steps) > 1 else "Dosering:"
        lines.append(f"  {label:<19}{describe_step(step)}")
    return lines


def dosing_lines(
    text: str, reading: dict[str, Any], *, micro: bool = False, pieces_assumed: bool = False
) -> list[str]:
    lines = [f"Doseringstext: {text}"]
    if reading["dose_marker"] in (MARKER_STEPS, MARKER_DURATION):
        lines.append(f"  Markering:         {reading['dose_marker']}")
        parsed = parse_dosing(text)
        if parsed.understood:
            return lines + _schedule_lines(parsed)
    if not reading["dose_understood"]:
        lines.append(
            "  INTE FÖRSTÅDD – texten behålls som den är och medrecon gissar ingen dos. "
            "Skiljer den sig från andra systemets text blir det 'Dosering behöver granskas'."
        )
        if reading["dose_marker"]:
            lines.append(f"  Markering:         {reading['dose_marker']}")
        return lines
    if reading["dose_marker"]:
        lines.append(f"  Markering:         {reading['dose_marker']} (ingen fast dos)")
    unit = reading["dose_unit"]
    shown_unit = unit or ("styck" if pieces_assumed else None)
    slots = tuple(reading[col] for col in SLOT_COLUMNS)
    low, high = reading["dose_amount_min"], reading["dose_amount_max"]
    if any(slots) and low != high:
        lines.append(f"  Dos per tillfälle: {format_slots(slots, shown_unit)}")
    elif high is not None:
        if low == high:
            amount = format_count(high, shown_unit)
        else:
            amount = f"{format_number(low)}–{format_count(high, shown_unit)}"
        lines.append(f"  Dos per tillfälle: {amount}{'' if shown_unit else ' (enhet ej angiven)'}")
    if pieces_assumed and unit is None:
        lines.append("  Enhet:             ej angiven – räknas som styck (tabletter/kapslar)")
    if reading["times_per_day"] is not None:
        lines.append(f"  Gånger per dag:    {format_number(reading['times_per_day'])}")
    if any(slots):
        lines.append(f"  Tidpunkter:        {format_slots(slots, shown_unit)}")
    interval = reading["interval_days"]
    if interval is not None and interval != 1:
        lines.append(f"  Intervall:         var {format_number(interval)}:e dag i genomsnitt")
    if reading["dose_as_needed"]:
        most = reading["max_per_day"]
        lines.append(
            "  Vid behov:         ja"
            + (
                f", högst {format_number(most)} per dygn"
                if most is not None
                else ", inget maxantal angivet"
            )
        )
    if reading["daily_units"] is not None:
        lines.append(f"  Per dygn:          {format_count(reading['daily_units'], shown_unit)}")
    if reading["daily_amount"] is not None:
        amount = format_amount(reading["daily_amount"], reading["daily_amount_unit"], micro=micro)
        lines.append(f"  Dygnsdos:          {amount}")
    elif not reading["dose_as_needed"]:
        lines.append("  Dygnsdos:          kan inte räknas (styrka eller enhet saknas)")
    return lines


def _micro(*texts: str | None) -> bool:
    strength: Strength | None = None
    for candidate in texts:
        strength = strength or parse_strength(candidate)
    return strength is not None and strength.micro


def run(args: argparse.Namespace) -> int:
    text: str = args.text
    product = read_product_text(text)
    dose_source = args.product or ""
    pieces_assumed = bool(args.strength) and not args.product
    dosing = read_product_text(
        dose_source,
        dosing_text=text,
        strength_text=args.strength,
        form_text=PIECE_FORM if pieces_assumed else None,
    )
    kind = args.kind
    if kind == "auto":
        if product["resolution"] != "unresolved":
            kind = "product"
        elif dosing["dose_understood"] or dosing["dose_marker"] in (MARKER_STEPS, MARKER_DURATION):
            kind = "dosing"
    out: list[str] = []
    if kind in ("product", "auto"):
        out += product_lines(text, product)
    if kind == "auto":
        out.append("")
    if kind in ("dosing", "auto"):
        micro = _micro(args.strength, args.product)
        out += dosing_lines(text, dosing, micro=micro, pieces_assumed=pieces_assumed)
    if kind == "auto":
        out += ["", "Texten förstods varken som produkttext eller som doseringstext."]
    print("\n".join(out))
    return 0

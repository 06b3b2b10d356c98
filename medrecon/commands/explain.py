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
from medrecon.normalise.dose_model import DoseReading
from medrecon.normalise.dosing import parse_dosing
from medrecon.normalise.forms import form_label, route_label
from medrecon.normalise.pipeline import MARKER_STEPS, read_product_text
from medrecon.normalise.strength import Strength, components_of, parse_strength
from medrecon.swedish import (
    format_amount,
    format_count,
    format_number,
    format_slots,
)

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


WEEKLY, MONTHLY, YEARLY = 7.0, 30.0, 365.0


def _interval_text(interval: float | None, weekdays: tuple[str, ...]) -> str | None:
    if weekdays:
        return "på " + ", ".join(weekdays)
    if interval is None or interval == 1:
        return None
    if interval == WEEKLY:
        return "en gång i veckan"
    if interval == MONTHLY:
        return "en gång i månaden"
    if interval == YEARLY:
        return "en gång om året"
    if interval == int(interval):
        return "varannan dag" if interval == 2 else f"var {format_number(interval)}:e dag"
    return f"i genomsnitt var {format_number(interval)}:e dag"


def _amount_text(low: float | None, high: float | None, unit: str | None) -> str:
    if low is not None and high is not None and low != high:
        return f"{format_number(low)}–{format_count(high, unit)}"
    return format_count(high, unit)


def _side_text(laterality: int) -> str:
    return " i vardera ögat/örat/näsborren (båda sidor)" if laterality == 2 else ""


def describe_step(step: DoseReading) -> str:
    """One understood step in plain Swedish: ``1 tablett 2 gånger per dag i 10 dagar``."""
    if not step.understood:
        return step.marker or "inte förstådd"
    parts: list[str] = []
    if any(step.slots):
        parts.append(format_slots(step.slots, step.unit))
    elif step.amount_max is not None:
        parts.append(_amount_text(step.amount_min, step.amount_max, step.unit))
        times = step.times_per_day
        if times is not None:
            parts.append(f"{format_number(times)} {'gång' if times == 1 else 'gånger'} per dag")
    parts.append(_side_text(step.laterality).strip())
    every = _interval_text(step.interval_days, step.weekdays)
    if every:
        parts.append(every)
    if step.as_needed:
        parts.append("vid behov")
    if step.duration_days is not None:
        parts.append(f"i {format_number(step.duration_days)} dagar")
    return " ".join(p for p in parts if p)


def _schedule_lines(parsed: DoseReading) -> list[str]:
    """The steps of a reading that is no standing dose."""
    lines = [
        "  Stegvis dosering – ingen fast dos att jämföra. Skiljer sig texten från andra "
        "systemets blir det 'Dosering behöver granskas'."
    ]
    for number, step in enumerate((parsed, *parsed.steps), start=1):
        lines.append(f"  {f'Steg {number}:':<19}{describe_step(step)}")
    if parsed.course_days is not None:
        lines.append(f"  Hela kuren:        {format_number(parsed.course_days)} dagar")
    return lines


def _active(value: float | None, unit: str | None, micro: bool) -> str | None:
    if value is None or unit is None:
        return None
    return format_amount(value, unit, micro=micro)


def dosing_lines(
    text: str, reading: dict[str, Any], *, micro: bool = False, pieces_assumed: bool = False
) -> list[str]:
    lines = [f"Doseringstext: {text}"]
    parsed = parse_dosing(text)
    if reading["dose_marker"] == MARKER_STEPS and parsed.understood:
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
        lines.append(f"  Kommentar:         {reading['dose_marker']} (dosen står i texten)")
    unit = reading["dose_unit"]
    shown_unit = unit or ("styck" if pieces_assumed else None)
    slots = tuple(reading[col] for col in SLOT_COLUMNS)
    low, high = reading["dose_amount_min"], reading["dose_amount_max"]
    if parsed.by_weekday:  # different amounts on different weekdays, no range
        parts = [
            f"{', '.join(days) if days else 'övriga dagar'} {_amount_text(a, a, shown_unit)}"
            for days, a in parsed.by_weekday
        ]
        lines.append(f"  Dos per tillfälle: {'; '.join(parts)}")
    elif any(slots) and low != high:  # different amounts at different times, no range
        lines.append(f"  Dos per tillfälle: {format_slots(slots, shown_unit)}")
    elif high is not None:
        per_dose = _amount_text(low, high, shown_unit) + (
            "" if shown_unit else " (enhet ej angiven)"
        )
        active_unit = reading["dose_amount_unit"]
        if reading["dose_amount"] is not None and active_unit and active_unit != unit:
            active = _range_text(
                reading["dose_amount_low"], reading["dose_amount"], active_unit, micro
            )
            per_dose += f" = {active}"
        lines.append(f"  Dos per tillfälle: {per_dose}")
    else:
        lines.append("  Dos per tillfälle: mängd inte angiven")
    laterality = reading["laterality"] or 1
    if laterality == 2:
        lines.append(
            "  Sida:              båda (ögon, öron eller näsborrar) – dygnsdosen räknar båda"
        )
    if pieces_assumed and unit is None:
        lines.append("  Enhet:             ej angiven – räknas som styck (tabletter/kapslar)")
    if reading["times_per_day"] is not None:
        lines.append(f"  Gånger per dag:    {format_number(reading['times_per_day'])}")
    if any(slots):
        lines.append(f"  Tidpunkter:        {format_slots(slots, shown_unit)}")
    every = _interval_text(reading["interval_days"], tuple(parsed.weekdays))
    if every:
        lines.append(f"  Dagar:             {every}")
    if reading["dose_course_days"] is not None:
        lines.append(f"  Kurens längd:      {format_number(reading['dose_course_days'])} dagar")
    if reading["dose_as_needed"]:
        lines.append("  Vid behov:         ja" + _maximum_text(reading, micro))
    if reading["extra_as_needed"] and parsed.also_as_needed is not None:
        extra = parsed.also_as_needed
        amount_text = (
            _amount_text(extra.amount_min, extra.amount_max, extra.unit or shown_unit)
            if extra.amount_max is not None
            else "mängd ej angiven"
        )
        lines.append(f"  Dessutom vid behov: {amount_text}")
    if reading["daily_units"] is not None:
        per_day = _amount_text(reading["daily_units_min"], reading["daily_units"], shown_unit)
        mean = " (medel över veckan)" if parsed.by_weekday else ""
        lines.append(f"  Per dygn:          {per_day}{mean}")
    if reading["daily_amount"] is not None:
        amount = format_amount(reading["daily_amount"], reading["daily_amount_unit"], micro=micro)
        if reading["daily_amount_min"] not in (None, reading["daily_amount"]):
            low_amount = format_amount(
                reading["daily_amount_min"], reading["daily_amount_unit"], micro=micro
            )
            amount = f"{low_amount} – {amount}"
        lines.append(f"  Dygnsdos:          {amount}")
    elif not reading["dose_as_needed"]:
        lines.append("  Dygnsdos:          kan inte räknas (styrka eller enhet saknas)")
    return lines


def _range_text(low: float | None, high: float, unit: str, micro: bool) -> str:
    """ "0,5–1 g", "75 µg": a range shown with its unit once."""
    high_text = format_amount(high, unit, micro=micro)
    if low is None or low == high:
        return high_text
    high_number, _, shown_unit = high_text.partition(" ")
    factor = high / float(high_number.replace(",", ".")) if high_number not in ("0", "–") else 1.0
    return f"{format_number(low / factor)}–{high_number} {shown_unit}"


def _maximum_text(reading: dict[str, Any], micro: bool) -> str:
    most = reading["max_per_day"]
    if most is None:
        return ", inget maxantal angivet"
    unit = reading["max_unit"] or reading["dose_unit"]
    stated = format_count(most, unit)
    text = f", högst {stated} per dygn"
    active = _active(reading["max_amount"], reading["max_amount_unit"], micro)
    if active and active != stated and reading["max_amount_unit"] != unit:
        text += f" (= {active})"
    return text


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
    show_product = args.kind == "product"
    show_dosing = args.kind == "dosing"
    if args.kind == "auto":
        show_product = product["resolution"] != "unresolved"
        show_dosing = bool(dosing["dose_understood"]) or dosing["dose_marker"] == MARKER_STEPS
    out: list[str] = []
    if show_product:
        out += product_lines(text, product)
    if show_dosing:
        out += [""] if out else []
        micro = _micro(args.strength, args.product)
        out += dosing_lines(text, dosing, micro=micro, pieces_assumed=pieces_assumed)
    if not out:
        out = [
            *product_lines(text, product),
            "",
            *dosing_lines(text, dosing),
            "",
            "Texten förstods varken som produkttext eller som doseringstext.",
        ]
    print("\n".join(out))
    return 0

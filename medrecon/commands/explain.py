"""``medrecon explain "TEXT"``: how medrecon reads a product text or a dosing text.

For a pharmacist who wants to trust a reading or report what it gets wrong: the
substance(s), ATC, how they were found and how sure, strength, form class and route of a
product text; the parsed dose and the daily amount of a dosing text. Whatever is not
understood is said plainly. The text goes through the same pipeline as an export line.
"""

from __future__ import annotations

import argparse
from typing import Any

from medrecon.normalise.forms import form_label, route_label
from medrecon.normalise.pipeline import read_product_text
from medrecon.normalise.strength import format_strength

RESOLUTION_LABEL = {
    "npl": "NPL-id",
    "atc": "ATC-kod",
    "substance": "substansnamn",
    "brand": "handelsnamn",
    "generic": "substansnamn i produkttexten",
    "fuzzy": "liknande stavning (osäker matchning – kontrollera)",
    "unresolved": "inte förstådd",
}
SLOT_LABEL = (
    ("slot_morning", "morgon"),
    ("slot_noon", "middag"),
    ("slot_evening", "kväll"),
    ("slot_night", "natt"),
)


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


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def product_lines(text: str, reading: dict[str, Any]) -> list[str]:
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
        lines.append(f"  Hittad via:        {how} (säkerhet {_number(score)})")
    lines.append(f"  ATC-kod:           {reading['resolved_atc'] or 'okänd'}")
    if reading["strength_values"]:
        strength = format_strength(reading["strength_values"], reading["strength_unit"])
        lines.append(f"  Styrka:            {strength}")
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


def dosing_lines(text: str, reading: dict[str, Any]) -> list[str]:
    lines = [f"Doseringstext: {text}"]
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
    low, high = reading["dose_amount_min"], reading["dose_amount_max"]
    if high is not None:
        amount = _number(high) if low == high else f"{_number(low)}–{_number(high)}"
        lines.append(
            f"  Dos per tillfälle: {amount} {reading['dose_unit'] or '(enhet ej angiven)'}"
        )
    if reading["times_per_day"] is not None:
        lines.append(f"  Gånger per dag:    {_number(reading['times_per_day'])}")
    slots = [f"{label} {_number(reading[col])}" for col, label in SLOT_LABEL if reading[col]]
    if slots:
        lines.append(f"  Tidpunkter:        {', '.join(slots)}")
    interval = reading["interval_days"]
    if interval is not None and interval != 1:
        lines.append(f"  Intervall:         var {_number(interval)}:e dag i genomsnitt")
    if reading["dose_as_needed"]:
        most = reading["max_per_day"]
        lines.append(
            "  Vid behov:         ja"
            + (
                f", högst {_number(most)} per dygn"
                if most is not None
                else ", inget maxantal angivet"
            )
        )
    if reading["daily_units"] is not None:
        per_day = f"{_number(reading['daily_units'])} {reading['dose_unit'] or ''}".rstrip()
        lines.append(f"  Per dygn:          {per_day}")
    if reading["daily_amount"] is not None:
        amount = f"{_number(reading['daily_amount'])} {reading['daily_amount_unit']}"
        lines.append(f"  Dygnsdos:          {amount}")
    elif not reading["dose_as_needed"]:
        lines.append("  Dygnsdos:          kan inte räknas (styrka eller enhet saknas)")
    return lines


def run(args: argparse.Namespace) -> int:
    text: str = args.text
    product = read_product_text(text)
    dose_source = args.product or ""
    dosing = read_product_text(dose_source, dosing_text=text, strength_text=args.strength)
    kind = args.kind
    if kind == "auto":
        if product["resolution"] != "unresolved":
            kind = "product"
        elif dosing["dose_understood"]:
            kind = "dosing"
    out: list[str] = []
    if kind in ("product", "auto"):
        out += product_lines(text, product)
    if kind == "auto":
        out.append("")
    if kind in ("dosing", "auto"):
        out += dosing_lines(text, dosing)
    if kind == "auto":
        out += ["", "Texten förstods varken som produkttext eller som doseringstext."]
    print("\n".join(out))
    return 0

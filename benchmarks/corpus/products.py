"""Product texts: substance, ATC code, strength and dose form resolved correctly.

Naming decisions of the corpus that medrecon's catalogue words differently are mapped
before comparing (``SAME_SUBSTANCE``); every such mapping is listed here, nowhere else.
Strengths are compared after medrecon's own same-dose mapping (a salt labelled 47,5 mg
is the 50 mg reference dose), applied to the label as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.corpus import read_tsv
from medrecon.normalise.catalogue import load_catalogue
from medrecon.normalise.forms import read_form
from medrecon.normalise.pipeline import read_product_text
from medrecon.normalise.strength import as_reference, parse_strength

# The corpus README: "The product's own catalogue says kalciumkarbonat where this corpus
# says kalcium; treat them as the same substance when scoring."
SAME_SUBSTANCE = {"kalciumkarbonat": "kalcium"}


def _substance(name: str | None) -> str:
    parts = (name or "").split(" + ")
    return " + ".join(sorted(SAME_SUBSTANCE.get(p, p) for p in parts if p))


@dataclass
class ProductScore:
    total: int = 0
    correct: int = 0
    wrong: list[tuple[str, list[str]]] = field(default_factory=list)


def _strength_key(text: str, substance: str) -> tuple[tuple[float, ...], str] | None:
    strength = parse_strength(text.replace(" + ", "/"))
    if strength is None:
        return None
    catalogue = load_catalogue()
    if " + " not in substance:
        key = (substance, strength.unit)
        strength = as_reference(
            strength, catalogue.same_dose.get(key), catalogue.unit_conversions.get(key)
        )
    unit = strength.unit.split(" + ")[0].removesuffix("/dos")
    return tuple(sorted(round(v, 6) for v in strength.values)), unit


def score_products(corpus: Path) -> ProductScore:
    score = ProductScore()
    for label in read_tsv(corpus / "products.tsv"):
        score.total += 1
        got = read_product_text(label["text"])
        wrong = []
        if _substance(got["substance"]) != _substance(label["substance"]):
            wrong.append(f"substance={got['substance']!r}")
        if label["atc"] and (got["resolved_atc"] or "") != label["atc"]:
            wrong.append(f"atc={got['resolved_atc']}")
        if label["strength"]:
            want = _strength_key(label["strength"], got["substance"] or "")
            values = got["strength_values"]
            have = None
            if values is not None and got["strength_unit"]:
                unit = got["strength_unit"].split(" + ")[0].removesuffix("/dos")
                have = (tuple(sorted(round(v, 6) for v in values)), unit)
            if want is None or want != have:
                wrong.append(f"strength={values} {got['strength_unit']}")
        wanted_form = read_form(label["form"]).form_class if label["form"] else "unknown"
        if wanted_form != got["form_class"]:
            wrong.append(f"form={got['form_class']} (label {label['form'] or 'none'})")
        if wrong:
            score.wrong.append((label["text"], wrong))
        else:
            score.correct += 1
    return score

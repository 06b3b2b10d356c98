"""Drug templates for the synthetic exports: real Swedish products, fictional patients.

The templates themselves live in ``data/drugs.toml`` (data a pharmacist can review);
this module gives them a type. A template says how the drug is named in the two systems
(brand and generic product names, salt forms in the substance column), its strengths,
dose form, route, and how it is typically dosed. The planting code uses the optional
fields (``alt_form``, ``alt_route``, ``extra_strengths``, ``components``) to make
differences that are clinically meaningful.

Dose patterns are written as ``"morning+noon+evening+night"`` amounts in the drug's unit;
as-needed dosing as ``"min-max/max_per_day"``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

DATA_PACKAGE = "medrecon.synth"
DATA_FILE = "data/drugs.toml"


@dataclass(frozen=True)
class Drug:
    key: str  # unique template key
    substance: str  # canonical: lower case, no salt; combinations sorted, joined by " + "
    atc: str
    substance_texts: tuple[str, ...]  # what the substance columns may hold (first is plain)
    products: tuple[str, ...]  # brand and generic product names
    form: str  # dose form as the form column shows it
    strengths: tuple[str, ...]  # strengths used for ordinary lines
    unit: str = "tablett"  # tablett | kapsel | dospåse | ml | E | plåster
    route: str = "Oral"
    daily: tuple[str, ...] = ()  # standing patterns "1+0+1+0"
    weekly: tuple[float, ...] = ()  # amounts given once a week
    prn: str | None = None  # as-needed "1-2/8"
    prn_share: float = 0.0  # share of ordinary lines that are as-needed
    special: tuple[str, ...] = ()  # dosing texts no parser can turn into amounts
    dispensing: str = "dose"  # "dose" | "package" for standing lines
    equivalent_forms: tuple[str, ...] = ()  # plain-form synonyms (never a finding)
    extra_strengths: tuple[str, ...] = ()  # only used by planted strength differences
    alt_form: str | None = None  # a form of another class (form finding)
    alt_products: tuple[str, ...] = ()  # product names for alt_form (else products)
    alt_route: str | None = None  # another route with the same form (route finding)
    components: tuple[str, ...] = ()  # keys of single-substance templates (combinations)
    misspelling: tuple[str, str] | None = None  # (correct, misspelled) part of product text
    purpose: str = ""
    weight: float = 1.0  # how common the drug is
    group: str = ""  # templates of one group never meet in one patient (default: key);
    # templates sharing a substance or ATC code are grouped anyway (tables.drug_groups)
    # the components that count for duplicates (rules/combinations.csv "dubblettkontroll"):
    # Movicol's salts do not make it a duplicate of a potassium tablet
    duplicate_substances: tuple[str, ...] = ()

    @property
    def high_risk(self) -> bool:
        return any(part in HIGH_RISK for part in self.substance.split(" + "))


@dataclass(frozen=True)
class DrugData:
    drugs: tuple[Drug, ...]
    high_risk: frozenset[str]  # substances whose findings are raised one severity step
    non_prescription_keys: tuple[str, ...]  # templates for Cosmic lines that are not
    # prescriptions (ward stock, self-care)


_DRUG_FIELDS = frozenset(f.name for f in fields(Drug))
_FLOAT_FIELDS = ("prn_share", "weight")  # so that "weight = 2" still gives a float


def _drug(table: dict[str, Any]) -> Drug:
    """One ``[[drug]]`` table as a Drug: TOML arrays become tuples."""
    unknown = sorted(set(table) - _DRUG_FIELDS)
    if unknown:
        raise ValueError(f"drug {table.get('key')!r}: unknown fields {unknown}")
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
    for name in _FLOAT_FIELDS:
        if name in values:
            values[name] = float(values[name])
    try:
        return Drug(**values)
    except TypeError as exc:  # a required field is missing
        raise ValueError(f"drug {table.get('key')!r}: {exc}") from exc


def parse_drug_data(text: str) -> DrugData:
    """The templates in the TOML text, checked for keys that other entries refer to."""
    raw = tomllib.loads(text)
    drugs = tuple(_drug(table) for table in raw["drug"])
    keys = [d.key for d in drugs]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"drug keys used twice: {duplicates}")
    referred = [c for d in drugs for c in d.components] + list(raw["non_prescription_keys"])
    missing = sorted(set(referred) - set(keys))
    if missing:
        raise ValueError(f"unknown drug keys referred to: {missing}")
    return DrugData(
        drugs=drugs,
        high_risk=frozenset(raw["high_risk"]),
        non_prescription_keys=tuple(raw["non_prescription_keys"]),
    )


@cache
def load_drug_data() -> DrugData:
    """The templates shipped in the package (read once)."""
    text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_drug_data(text)


_DATA = load_drug_data()

# Kept in line with rules/high_risk.toml (spec: discrepancies.md); see data/drugs.toml.
HIGH_RISK: frozenset[str] = _DATA.high_risk
DRUGS: tuple[Drug, ...] = _DATA.drugs
DRUG_BY_KEY: dict[str, Drug] = {drug.key: drug for drug in DRUGS}
# Cosmic lines that are not prescriptions (ward stock, self-care) come from these.
NON_PRESCRIPTION_KEYS: tuple[str, ...] = _DATA.non_prescription_keys

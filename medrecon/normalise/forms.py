"""Dose form classes and administration routes, from ``rules/forms.toml`` and ``routes.toml``.

A form text (``Läkemedelsform`` or the form words inside a product text) is read into a
class with clinical meaning (plain oral solid, modified-release, enteric, ...). Texts in
the same class are equivalent: ``tablett`` = ``filmdragerad tablett``. A route text is
read into a route code; when a line has no route text, the class implies one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from medrecon.normalise.rule_tables import normalise_name
from medrecon.rules_files import TomlShape, read_rules_toml_entries
from medrecon.rules_path import rules_dir

UNKNOWN = "unknown"
PLAIN_ORAL_SOLID = "plain_oral_solid"
# Classes a product word ("Depot", "ZOC", "Entero", "Brus") may give a plain "tablett" or
# "kapsel" in the same text: they say which kind of tablet or capsule it is.
REFINES_PLAIN = frozenset({"modified_release", "enteric", "orodispersible", "effervescent"})
FORM_CLASSES = (
    "plain_oral_solid",
    "modified_release",
    "enteric",
    "orodispersible",
    "effervescent",
    "liquid",
    "patch",
    "injection",
    "inhalation",
    "eye_drops",
    "ear_drops",
    "nasal",
    "topical",
    "suppository",
    UNKNOWN,
)
ROUTES = (
    "oral",
    "subcutaneous",
    "intramuscular",
    "intravenous",
    "transdermal",
    "inhalation",
    "rectal",
    "vaginal",
    "ocular",
    "otic",
    "nasal",
    "cutaneous",
    "sublingual",
)

_W = r"[0-9a-zåäöµμ]"


# Where a line's form class came from: written as a form, implied by a word of the name
# that only exists in one form ("ZOC", "Turbuhaler"), or the usual form of a brand named
# without a form ("Furix 40 mg"). Only the first two are ever compared.
FORM_WRITTEN, FORM_BY_NAME, FORM_USUAL = "written", "name", "usual"


@dataclass(frozen=True)
class FormReading:
    form_class: str  # one of FORM_CLASSES
    route: str | None  # route implied by the form (None when the form does not tell)
    matched: str | None  # the listed form text that decided it
    source: str | None = None  # FORM_WRITTEN | FORM_BY_NAME | FORM_USUAL; None if unknown


@dataclass(frozen=True)
class FormRules:
    text_class: dict[str, str]
    route_by_text: dict[str, str]
    class_route: dict[str, str | None]
    class_label: dict[str, str]
    implied: dict[str, str]
    abbreviations: re.Pattern[str] | None
    abbreviation_map: dict[str, str]
    form_pattern: re.Pattern[str] | None
    implied_pattern: re.Pattern[str] | None
    route_text: dict[str, str]
    route_label: dict[str, str]
    route_pattern: re.Pattern[str] | None
    usual_form: dict[str, str]  # brand name -> its usual form class


def _alternation(keys: list[str]) -> re.Pattern[str] | None:
    if not keys:
        return None
    ordered = sorted(set(keys), key=len, reverse=True)
    body = "|".join(re.escape(k) for k in ordered)
    return re.compile(rf"(?<!{_W})(?:{body})(?!{_W})")


def _abbreviation_pattern(keys: list[str]) -> re.Pattern[str] | None:
    if not keys:
        return None
    parts = []
    for key in sorted(set(keys), key=len, reverse=True):
        tail = rf"(?!{_W})" if re.match(_W, key[-1]) else ""
        parts.append(rf"(?<!{_W}){re.escape(key)}{tail}")
    return re.compile("|".join(parts))


_CLASS_KEYS = frozenset({"route", "label", "texts"})
_ROUTE_KEYS = frozenset({"label", "texts"})
_FORMS_SHAPE = TomlShape(
    sections={
        "classes": None,  # named classes, checked by _CLASS_KEYS
        "route_by_text": None,  # form text -> route
        "abbreviations": None,  # abbreviation -> written out
        "implied_by_name": None,  # brand word -> form class
        "usual_form_of_brand": None,  # brand -> its usual form class
    },
    required=frozenset({"classes"}),
)
_ROUTES_SHAPE = TomlShape(sections={"routes": None}, required=frozenset({"routes"}))


@functools.lru_cache(maxsize=4)
def _load(folder: str) -> FormRules:
    forms = read_rules_toml_entries(
        Path(folder) / "forms.toml", _FORMS_SHAPE, {"classes": _CLASS_KEYS}
    )
    routes = read_rules_toml_entries(
        Path(folder) / "routes.toml", _ROUTES_SHAPE, {"routes": _ROUTE_KEYS}
    )
    text_class: dict[str, str] = {}
    class_route: dict[str, str | None] = {UNKNOWN: None}
    class_label: dict[str, str] = {UNKNOWN: "okänd beredningsform"}
    for name, spec in forms.get("classes", {}).items():
        class_route[name] = spec.get("route") or None
        class_label[name] = spec.get("label", name)
        for text in spec.get("texts", []):
            text_class[normalise_name(text)] = name
    route_by_text = {normalise_name(k): v for k, v in forms.get("route_by_text", {}).items()}
    implied = {normalise_name(k): v for k, v in forms.get("implied_by_name", {}).items()}
    usual = {normalise_name(k): v for k, v in forms.get("usual_form_of_brand", {}).items()}
    abbreviation_map = {k.lower(): v for k, v in forms.get("abbreviations", {}).items()}
    route_text: dict[str, str] = {}
    route_label: dict[str, str] = {}
    for code, spec in routes.get("routes", {}).items():
        route_label[code] = spec.get("label", code)
        for text in spec.get("texts", []):
            route_text[normalise_name(text)] = code
    return FormRules(
        text_class=text_class,
        route_by_text=route_by_text,
        class_route=class_route,
        class_label=class_label,
        implied=implied,
        abbreviations=_abbreviation_pattern(list(abbreviation_map)),
        abbreviation_map=abbreviation_map,
        form_pattern=_alternation(list(text_class)),
        implied_pattern=_alternation(list(implied)),
        route_text=route_text,
        route_label=route_label,
        route_pattern=_alternation([k for k in route_text if k]),
        usual_form=usual,
    )


def form_rules() -> FormRules:
    return _load(str(rules_dir()))


def expand_abbreviations(text: str) -> str:
    """Lower-cased text with product-text abbreviations (``T.``, ``dep tabl``) written out."""
    rules = form_rules()
    lowered = text.lower()
    if rules.abbreviations is None:
        return lowered
    return rules.abbreviations.sub(lambda m: f" {rules.abbreviation_map[m.group()]} ", lowered)


def _longest(pattern: re.Pattern[str] | None, text: str) -> str | None:
    if pattern is None:
        return None
    best: str | None = None
    for match in pattern.finditer(text):
        if best is None or len(match.group()) > len(best):
            best = match.group()
    return best


def read_form(text: str | None, *, implied_by_name: bool = False) -> FormReading:
    """The form class (and implied route) of a form or product text.

    With ``implied_by_name``, a brand word that implies a form (``ZOC``, ``Depot``,
    ``Norspan``) is used when no form text is written.
    """
    if not text or not text.strip():
        return FormReading(UNKNOWN, None, None)
    rules = form_rules()
    cleaned = normalise_name(expand_abbreviations(text))
    matched = _longest(rules.form_pattern, cleaned)
    implied = _longest(rules.implied_pattern, cleaned) if implied_by_name else None
    if (
        matched is not None
        and implied is not None
        and rules.text_class[matched] == PLAIN_ORAL_SOLID
        and rules.implied[implied] in REFINES_PLAIN
    ):
        # "Madopark Depot kapsel": the product word says which kind of capsule it is
        form_class = rules.implied[implied]
        return FormReading(form_class, rules.class_route.get(form_class), implied, FORM_WRITTEN)
    if matched is not None:
        form_class = rules.text_class[matched]
        route = rules.route_by_text.get(matched, rules.class_route.get(form_class))
        return FormReading(form_class, route, matched, FORM_WRITTEN)
    if implied is not None:  # only looked for with implied_by_name
        form_class = rules.implied[implied]
        return FormReading(form_class, rules.class_route.get(form_class), implied, FORM_BY_NAME)
    return FormReading(UNKNOWN, None, None)


def usual_form(names: tuple[str, ...] | list[str]) -> FormReading | None:
    """The usual form of the first of these brand names that has one (``FORM_USUAL``)."""
    rules = form_rules()
    for name in names:
        form_class = rules.usual_form.get(normalise_name(name))
        if form_class is not None:
            return FormReading(form_class, rules.class_route.get(form_class), name, FORM_USUAL)
    return None


def classify_form(text: str | None) -> str:
    """The form class of a form text; ``unknown`` when the text is not listed."""
    return read_form(text).form_class


def classify_route(text: str | None) -> str | None:
    """The route code of a route text; None when empty or not understood (never guessed)."""
    if not text or not text.strip():
        return None
    rules = form_rules()
    cleaned = normalise_name(text)
    if cleaned in rules.route_text:
        return rules.route_text[cleaned]
    matched = _longest(rules.route_pattern, cleaned)
    return rules.route_text[matched] if matched is not None else None


def form_label(form_class: str | None) -> str:
    return form_rules().class_label.get(form_class or UNKNOWN, form_class or "okänd")


def route_label(route: str | None) -> str:
    if not route:
        return "okänd"
    return form_rules().route_label.get(route, route)


def form_words() -> frozenset[str]:
    """Every single word that is part of a form text or abbreviation (ignored in names)."""
    rules = form_rules()
    words = {w for text in rules.text_class for w in text.split()}
    words |= {w for text in rules.abbreviation_map for w in normalise_name(text).split()}
    return frozenset(words)

"""Small Swedish wording helpers for explanations, as polars expressions.

Numbers with a decimal comma, amounts in the unit the prescriber used (µg when the
strength was given in micrograms), count words in singular or plural, and the Swedish
labels of form classes and routes (read from ``rules/forms.toml`` and
``rules/routes.toml`` so a pharmacist's wording is the one shown, with a built-in
fallback for codes those files do not label).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import polars as pl

from medrecon.rules_path import rules_dir

# Strength texts written in micrograms ("75 mikrogram", "100 µg", "50 mcg").
_MICRO_PATTERN = r"(?i)(µg|μg|mikrogram|mikrog|mcg|\d\s*ug\b)"

# Plural of the dose units the dosing parser and the unit tables produce. A unit not
# listed is written the same in singular and plural (ml, E, mg, st).
PLURAL = {
    "tablett": "tabletter",
    "kapsel": "kapslar",
    "droppe": "droppar",
    "puff": "puffar",
    "dos": "doser",
    "sugtablett": "sugtabletter",
    "brustablett": "brustabletter",
    "tuggtablett": "tuggtabletter",
    "depottablett": "depottabletter",
    "enterotablett": "enterotabletter",
    "depotkapsel": "depotkapslar",
    "enterokapsel": "enterokapslar",
    "resoriblett": "resoribletter",
    "munsönderfallande tablett": "munsönderfallande tabletter",
    "suppositorium": "suppositorier",
    "vagitorium": "vagitorier",
    "portion": "portioner",
    "påse": "påsar",
    "dospåse": "dospåsar",
    "injektion": "injektioner",
    "spruta": "sprutor",
    "ampull": "ampuller",
    "inhalation": "inhalationer",
    "sprayning": "sprayningar",
    "pust": "pustar",
    "klysma": "klysmor",
    "rad": "rader",
}

# Used when the rules files give no label for a code (and for the codes they cannot give).
_FORM_FALLBACK = {
    "plain_oral_solid": "tablett/kapsel (vanlig)",
    "modified_release": "depotberedning (förlängd frisättning)",
    "enteric": "enterodragerad (magsaftresistent)",
    "orodispersible": "munsönderfallande/resoriblett",
    "effervescent": "brustablett",
    "liquid": "flytande",
    "patch": "plåster",
    "injection": "injektion",
    "inhalation": "inhalation",
    "suppository": "stolpiller",
    "topical": "för användning på huden",
    "eye_drops": "ögondroppar",
    "ear_drops": "örondroppar",
    "nasal": "nässpray/näsdroppar",
    "unknown": "okänd beredningsform",
}
_ROUTE_FALLBACK = {
    "oral": "oral (via munnen)",
    "subcutaneous": "subkutan",
    "intramuscular": "intramuskulär",
    "intravenous": "intravenös",
    "transdermal": "transdermal (plåster)",
    "inhalation": "inhalation",
    "rectal": "rektal",
    "vaginal": "vaginal",
    "sublingual": "sublingual (under tungan)",
    "cutaneous": "på huden",
    "ocular": "i ögat",
    "otic": "i örat",
    "nasal": "i näsan",
}


def number(expr: pl.Expr) -> pl.Expr:
    """A number the Swedish way: decimal comma, no trailing ",0", at most 3 decimals
    (3 significant digits below 1, so 0,0625 keeps its last digit)."""
    rounded = pl.when(expr.abs() < 1).then(expr.round_sig_figs(3)).otherwise(expr.round(3))
    text = rounded.cast(pl.String)
    return text.str.replace(r"\.0$", "").str.replace(".", ",", literal=True)


def given_in_micrograms(strength_text: pl.Expr) -> pl.Expr:
    """True when the exported strength is written in micrograms."""
    return strength_text.str.contains(_MICRO_PATTERN).fill_null(False)


def _per(per: str | pl.Expr) -> pl.Expr:
    return pl.lit(per) if isinstance(per, str) else per


def _span(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    """``3`` or ``3–6``: each number formatted once (this runs on every finding line)."""
    high_text = number(high)
    same = low.is_null() | ((low - high).abs() <= 1e-9 * high.abs())
    return (
        pl.when(same).then(high_text).otherwise(pl.concat_str(number(low), pl.lit("–"), high_text))
    )


def amount_range(
    low: pl.Expr, high: pl.Expr, unit: pl.Expr, micro: pl.Expr, per: str | pl.Expr = "/dygn"
) -> pl.Expr:
    """``3 g/dygn`` or ``1,5–3 g/dygn``: mg shown in µg when the strength was in µg, in g
    from 1000 mg; ``low`` equal to ``high`` (or null) shows one number."""
    is_mg = unit == "mg"
    in_micro = is_mg & micro
    in_grams = is_mg & ~micro & (high >= 1000)
    factor = pl.when(in_micro).then(1000.0).when(in_grams).then(0.001).otherwise(1.0)
    shown_unit = pl.when(in_micro).then(pl.lit("µg")).when(in_grams).then(pl.lit("g"))
    return pl.concat_str(
        _span(low * factor, high * factor),
        pl.lit(" "),
        shown_unit.otherwise(unit),
        _per(per),
    )


def amount(value: pl.Expr, unit: pl.Expr, micro: pl.Expr, per: str | pl.Expr = "/dygn") -> pl.Expr:
    """One amount with its unit and period (see ``amount_range``)."""
    return amount_range(pl.lit(None, pl.Float64), value, unit, micro, per)


def unit_word(unit: pl.Expr, count: pl.Expr) -> pl.Expr:
    """``tablett`` for at most one, ``tabletter`` for more (units without a plural as is)."""
    plural = unit.replace(PLURAL)
    return pl.when(count <= 1).then(unit).otherwise(plural)


def counted(low: pl.Expr, high: pl.Expr, unit: pl.Expr, per: str | pl.Expr = "") -> pl.Expr:
    """``1 tablett``, ``2 tabletter``, ``3–6 tabletter/dygn`` (null when unit is null)."""
    return pl.concat_str(_span(low, high), pl.lit(" "), unit_word(unit, high), _per(per))


@cache
def _read_labels(path: Path, table: str) -> dict[str, str]:
    """``code -> label`` of a rules file's classes (empty when the file has none)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    section = data.get(table, {})
    return {
        str(code): str(entry["label"])
        for code, entry in section.items()
        if isinstance(entry, dict) and entry.get("label")
    }


def _labels(file_name: str, table: str) -> dict[str, str]:
    # Keyed by path: MEDRECON_RULES may point at another copy of the rules.
    return _read_labels(rules_dir() / file_name, table)


def form_labels() -> dict[str, str]:
    return {**_FORM_FALLBACK, **_labels("forms.toml", "classes")}


def route_labels() -> dict[str, str]:
    return {**_ROUTE_FALLBACK, **_labels("routes.toml", "routes")}


def _label(code: pl.Expr, labels: dict[str, str]) -> pl.Expr:
    """The Swedish label of a code; an unlabelled code is never shown as is."""
    return code.replace_strict(labels, default="okänd", return_dtype=pl.String)


def form_phrase(text: pl.Expr, form_class: pl.Expr) -> pl.Expr:
    """``Depottablett (depotberedning)``: the exported form text with the class it was
    judged by (left out for ordinary tablets and capsules, where it adds nothing); the
    class's full label when the line has no form text."""
    label = _label(form_class, form_labels())
    short = label.str.replace(r"\s*\(.*\)$", "")
    text = text.str.strip_chars()
    has_text = text.is_not_null() & (text != "")
    obvious = (form_class == "plain_oral_solid") | (
        text.str.to_lowercase() == short.str.to_lowercase()
    )
    return (
        pl.when(has_text & obvious.fill_null(False))
        .then(text)
        .when(has_text)
        .then(pl.concat_str(text, pl.lit(" ("), short, pl.lit(")")))
        .otherwise(label)
    )


def route_phrase(text: pl.Expr, route: pl.Expr) -> pl.Expr:
    """The exported route text, else the Swedish label of the route."""
    text = text.str.strip_chars()
    return (
        pl.when(text.is_not_null() & (text != ""))
        .then(text)
        .otherwise(_label(route, route_labels()))
    )

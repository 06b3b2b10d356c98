"""The product side of ``resolve_lines``: substance, ATC, strength, form and route.

Runs once per DISTINCT combination of the CLINICAL_KEYS texts (``_clinical_frame``); the
pipeline joins the result back onto all lines by a hash key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from medrecon.normalise.catalogue import Catalogue
from medrecon.normalise.forms import (
    PLAIN_ORAL_SOLID,
    REFINES_PLAIN,
    UNKNOWN,
    FormReading,
    classify_route,
    read_form,
    usual_form,
)
from medrecon.normalise.rule_tables import normalise_atc
from medrecon.normalise.strength import (
    Strength,
    as_reference,
    bare_ratio_strength,
    in_substance_order,
    parse_strength,
)
from medrecon.normalise.substances import (
    ATC,
    COLUMN_PRODUCT,
    COLUMN_SUBSTANCE,
    NPL,
    UNRESOLVED,
    Resolution,
    resolve_texts,
)
from medrecon.schema import RESOLVED_EXTRA_SCHEMA

CLINICAL_KEYS = (
    "npl_id",
    "atc",
    "substance_text",
    "product_text",
    "strength_text",
    "form_text",
    "route_text",
)

_CKEY = "__clinical_key"

_CLINICAL_SCHEMA: dict[str, pl.DataType] = {
    _CKEY: pl.UInt64(),
    **{
        name: RESOLVED_EXTRA_SCHEMA[name]
        for name in (
            "substances",
            "duplicate_substances",
            "substance",
            "resolved_atc",
            "resolution",
            "resolution_score",
            "strength_value",
            "strength_unit",
            "strength_values",
            "form_class",
            "form_source",
            "route",
        )
    },
}


@dataclass(frozen=True)
class ClinicalReading:
    """What one line's product-side texts mean (one row of the clinical lookup)."""

    resolution: Resolution
    resolved_atc: str | None
    strength: Strength | None
    form: FormReading
    route: str | None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def read_clinical(rows: list[dict[str, Any]], catalogue: Catalogue) -> list[ClinicalReading]:
    """Readings of distinct rows of the CLINICAL_KEYS columns (same order as ``rows``)."""
    products = {r["product_text"] for r in rows if not _blank(r["product_text"])}
    substance_texts = {r["substance_text"] for r in rows if not _blank(r["substance_text"])}
    by_product = resolve_texts(products, catalogue, COLUMN_PRODUCT, fuzzy=False)
    by_substance = resolve_texts(substance_texts, catalogue, COLUMN_SUBSTANCE, fuzzy=False)

    def exact(row: dict[str, Any]) -> Resolution | None:
        npl = (row["npl_id"] or "").strip()
        if npl and npl in catalogue.npl_index:
            return Resolution(catalogue.npl_index[npl], NPL, 1.0)
        atc = normalise_atc(row["atc"])
        if atc and atc in catalogue.atc_index:
            return Resolution(catalogue.atc_index[atc], ATC, 1.0, (atc,))
        column = by_substance.get(row["substance_text"])
        product = by_product.get(row["product_text"])
        if column is not None and column.method != UNRESOLVED:
            # "Makrogol" in the substance column of a Movicol line: the column names only
            # the main component of the combination the product text names
            if (
                product is not None
                and product.method != UNRESOLVED
                and set(column.substances) < set(product.substances)
            ):
                return product
            return column
        if product is not None and product.method != UNRESOLVED:
            return product
        return None

    exact_results = [exact(r) for r in rows]
    pending = [r for r, e in zip(rows, exact_results, strict=True) if e is None]
    fuzzy_product = resolve_texts(
        {r["product_text"] for r in pending if not _blank(r["product_text"])},
        catalogue,
        COLUMN_PRODUCT,
    )
    fuzzy_substance = resolve_texts(
        {r["substance_text"] for r in pending if not _blank(r["substance_text"])},
        catalogue,
        COLUMN_SUBSTANCE,
    )
    strengths: dict[tuple[str | None, str | None], Strength | None] = {}
    forms: dict[tuple[str | None, str | None], FormReading] = {}
    routes: dict[str | None, str | None] = {}
    out = []
    for row, found in zip(rows, exact_results, strict=True):
        if found is None:
            found = _first_resolved(
                fuzzy_substance.get(row["substance_text"]), fuzzy_product.get(row["product_text"])
            )
        strength_key = (row["strength_text"], row["product_text"])
        if strength_key not in strengths:
            strengths[strength_key] = parse_strength(row["strength_text"]) or parse_strength(
                row["product_text"]
            )
        form_key = (row["form_text"], row["product_text"])
        if form_key not in forms:
            forms[form_key] = _form_of(row["form_text"], row["product_text"])
        form = forms[form_key]
        if form.form_class == UNKNOWN and found.matched:
            form = usual_form(found.matched) or form
        if row["route_text"] not in routes:
            routes[row["route_text"]] = classify_route(row["route_text"])
        route = form.route if _blank(row["route_text"]) else routes[row["route_text"]]
        atc = normalise_atc(row["atc"]) or (
            catalogue.atc_for(found.substances, form.form_class, found.matched)
            if found.substances
            else None
        )
        strength = strengths[strength_key]
        if strength is None and len(found.substances) > 1:
            unit = catalogue.strength_unit_of.get(found.substances)
            strength = bare_ratio_strength(row["product_text"], unit) if unit else None
        if strength is not None and len(found.substances) == 1:
            key = (found.substances[0], strength.unit)
            strength = as_reference(
                strength, catalogue.same_dose.get(key), catalogue.unit_conversions.get(key)
            )
        if strength is not None and len(found.substances) > 1:
            # values follow `substances` (alphabetical), not the product text's order
            order = catalogue.component_order.get(found.substances)
            strength = in_substance_order(strength, order)
        out.append(ClinicalReading(found, atc, strength, form, route))
    return out


def _first_resolved(*options: Resolution | None) -> Resolution:
    for option in options:
        if option is not None and option.method != UNRESOLVED:
            return option
    return Resolution((), UNRESOLVED, None)


def _form_of(form_text: str | None, product_text: str | None) -> FormReading:
    from_column = read_form(form_text)
    if from_column.form_class == UNKNOWN:
        return read_form(product_text, implied_by_name=True)
    if from_column.form_class == PLAIN_ORAL_SOLID:
        # Läkemedelsform "Kapsel" for "Madopark Depot": the product says which kind
        from_product = read_form(product_text, implied_by_name=True)
        if from_product.form_class in REFINES_PLAIN:
            return from_product
    return from_column


def _clinical_frame(distinct: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    rows = distinct.select(CLINICAL_KEYS).to_dicts()
    readings = read_clinical(rows, catalogue)
    data: dict[str, list[Any]] = {name: [] for name in _CLINICAL_SCHEMA}
    data[_CKEY] = distinct[_CKEY].to_list()
    for reading in readings:
        res, strength = reading.resolution, reading.strength
        data["substances"].append(list(res.substances))
        counted = catalogue.duplicate_components.get(res.substances, res.substances)
        data["duplicate_substances"].append(list(counted))
        data["substance"].append(" + ".join(res.substances) if res.substances else None)
        data["resolved_atc"].append(reading.resolved_atc)
        data["resolution"].append(res.method)
        data["resolution_score"].append(res.score)
        data["strength_value"].append(strength.value if strength else None)
        data["strength_unit"].append(strength.unit if strength else None)
        data["strength_values"].append(list(strength.values) if strength else None)
        data["form_class"].append(reading.form.form_class)
        data["form_source"].append(reading.form.source)
        data["route"].append(reading.route)
    return pl.DataFrame(data, schema=_CLINICAL_SCHEMA)

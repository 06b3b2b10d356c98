"""Cosmic (layout ``cosmic-v1``): export fields to canonical line columns.

The expressions work on a frame whose columns are the layout's field names (a field the
file lacks is an all-null column), so one code path serves every file and header variant.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from adapters.convert import NULL_TEXT, Conversion, Parsers, cell
from adapters.headers import LAYOUTS
from medrecon.schema import (
    COSMIC,
    DISPENSING_DOSE,
    DISPENSING_PACKAGE,
    ORDER_PRESCRIPTION,
    ORDER_SELF_CARE,
    ORDER_WARD_STOCK,
    STATUS_ACTIVE,
    STATUS_ENDED,
    STATUS_PAUSED,
)

LAYOUT = LAYOUTS[COSMIC]

# Canonical value -> the text Cosmic exports (the writer uses these; reading accepts any case).
STATUS_TEXT = {STATUS_ACTIVE: "Aktiv", STATUS_ENDED: "Utsatt", STATUS_PAUSED: "Pausad"}
ORDER_TYPE_TEXT = {
    ORDER_PRESCRIPTION: "Recept",
    ORDER_WARD_STOCK: "Rekvisition",
    ORDER_SELF_CARE: "Egenvård",
}
DISPENSING_TEXT = {DISPENSING_DOSE: "Ja", DISPENSING_PACKAGE: "Nej"}
DOSING_TYPES = ("Stående", "Vid behov", "Tillfällig", "Enligt särskild ordination")
AS_NEEDED_TYPE = "Vid behov"


def _choices(texts: Mapping[str, str]) -> dict[str, object]:
    return {text: code for code, text in texts.items()}


def canonical_columns(header: Mapping[str, str]) -> Conversion:
    """Canonical columns (besides source, file, line, patient_id) and per-row problems."""
    parse = Parsers(header)
    start = parse.date("Insättningsdatum")
    end = parse.date("Utsättningsdatum")
    changed = parse.timestamp("Senast ändrad")
    status = parse.choice("Status", _choices(STATUS_TEXT), pl.String())
    order = parse.choice("Ordinationstyp", _choices(ORDER_TYPE_TEXT), pl.String())
    dispensing = parse.choice("Dosdispenserad", _choices(DISPENSING_TEXT), pl.String())
    as_needed = parse.choice(
        "Doseringstyp", {t: t == AS_NEEDED_TYPE for t in DOSING_TYPES}, pl.Boolean()
    )
    # Without a Status, a line is ended exactly when it has an end date.
    derived_status = (
        pl.when(end.is_not_null()).then(pl.lit(STATUS_ENDED)).otherwise(pl.lit(STATUS_ACTIVE))
    )
    nothing = pl.lit(None, dtype=pl.Float64)
    columns = [
        cell("Patient").alias("patient_name"),
        cell("Vårdenhet").alias("care_unit"),
        cell("OrdinationsID").alias("line_id"),
        cell("Läkemedel").alias("product_text"),
        cell("Substans").alias("substance_text"),
        cell("Styrka").alias("strength_text"),
        cell("Läkemedelsform").alias("form_text"),
        cell("Administreringsväg").alias("route_text"),
        cell("Dosering").alias("dosing_text"),
        nothing.alias("dose_morning"),
        nothing.alias("dose_noon"),
        nothing.alias("dose_evening"),
        nothing.alias("dose_night"),
        as_needed.alias("as_needed"),
        cell("Doseringstyp").alias("dosing_type"),
        dispensing.alias("dispensing"),
        start.alias("start_date"),
        end.alias("end_date"),
        pl.lit(None, dtype=pl.Date).alias("valid_until"),
        pl.coalesce(status, derived_status).alias("status"),
        order.fill_null(pl.lit(ORDER_PRESCRIPTION)).alias("order_type"),
        cell("ATC").str.to_uppercase().alias("atc"),
        NULL_TEXT.alias("npl_id"),
        cell("Förskrivare").alias("prescriber"),
        cell("Ändamål").alias("purpose"),
        changed.alias("last_changed"),
    ]
    return Conversion(parse.columns, columns, parse.problems)

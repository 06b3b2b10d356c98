"""Pascal (layout ``pascal-v1``): export fields to canonical line columns.

Every Pascal line is a prescription; a line is ended exactly when ``Utsatt`` has a date
(``Sista giltighetsdag`` does not end it). The four time columns hold the dispensed
amounts; a row needs them or the ``Användning`` text.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from adapters.convert import NULL_TEXT, Conversion, Parsers, Problem, cell
from adapters.headers import LAYOUTS, PASCAL_TIME_FIELDS
from medrecon.schema import (
    DISPENSING_DOSE,
    DISPENSING_PACKAGE,
    ORDER_PRESCRIPTION,
    PASCAL,
    STATUS_ACTIVE,
    STATUS_ENDED,
)

LAYOUT = LAYOUTS[PASCAL]

DISPENSING_TEXT = {DISPENSING_DOSE: "Dosdispenserad", DISPENSING_PACKAGE: "Helförpackning"}
AS_NEEDED_TEXT = {True: "Ja", False: "Nej"}
TIME_COLUMNS = dict(
    zip(
        PASCAL_TIME_FIELDS, ("dose_morning", "dose_noon", "dose_evening", "dose_night"), strict=True
    )
)


def canonical_columns(header: Mapping[str, str]) -> Conversion:
    """Canonical columns (besides source, file, line, patient_id) and per-row problems."""
    parse = Parsers(header)
    no_dosing = cell("Användning").is_null() & pl.all_horizontal(
        cell(f).is_null() for f in PASCAL_TIME_FIELDS
    )
    times = ", ".join(parse.name(f) for f in PASCAL_TIME_FIELDS)
    dosing_problem = Problem(
        no_dosing,
        pl.lit(f'dosering saknas: varken "{parse.name("Användning")}" eller {times} är ifyllda'),
    )
    amounts = {f: parse.amount(f) for f in PASCAL_TIME_FIELDS}
    as_needed = parse.choice(
        "Vid behov", {t: flag for flag, t in AS_NEEDED_TEXT.items()}, pl.Boolean()
    )
    dispensing = parse.choice(
        "Dispensering", {t: code for code, t in DISPENSING_TEXT.items()}, pl.String()
    )
    start = parse.date("Insättningsdatum")
    valid = parse.date("Sista giltighetsdag")
    ended = parse.date("Utsatt")
    changed = parse.timestamp("Ändrad")
    columns = [
        cell("Namn").alias("patient_name"),
        NULL_TEXT.alias("care_unit"),
        cell("ReceptID").alias("line_id"),
        cell("Förskrivet läkemedel").alias("product_text"),
        cell("Verksamt ämne").alias("substance_text"),
        cell("Styrka").alias("strength_text"),
        cell("Läkemedelsform").alias("form_text"),
        cell("Administreringssätt").alias("route_text"),
        cell("Användning").alias("dosing_text"),
        *(amounts[f].alias(column) for f, column in TIME_COLUMNS.items()),
        as_needed.alias("as_needed"),
        NULL_TEXT.alias("dosing_type"),
        dispensing.alias("dispensing"),
        start.alias("start_date"),
        ended.alias("end_date"),
        valid.alias("valid_until"),
        pl.when(ended.is_not_null())
        .then(pl.lit(STATUS_ENDED))
        .otherwise(pl.lit(STATUS_ACTIVE))
        .alias("status"),
        pl.lit(ORDER_PRESCRIPTION).alias("order_type"),
        cell("ATC").str.to_uppercase().alias("atc"),
        cell("NPL-id").alias("npl_id"),
        cell("Förskrivare").alias("prescriber"),
        cell("Behandlingsorsak").alias("purpose"),
        changed.alias("last_changed"),
    ]
    return Conversion(parse.columns, columns, [dosing_problem, *parse.problems])

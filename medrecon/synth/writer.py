"""Render row codes into export frames (layouts cosmic-v1 / pascal-v1) and write them.

Every column is a String, exactly as an export file holds it; an empty cell is null.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from medrecon.files import atomic_private_path, ensure_private_dir
from medrecon.synth import plan as P
from medrecon.synth.people import PRESCRIBERS
from medrecon.synth.plant import ACTIVE, COSMIC, ENDED, PAUSED, PRESCRIPTION
from medrecon.synth.tables import Tables

if TYPE_CHECKING:
    from medrecon.synth import SyntheticPair

# Dates in the exports are counted back from this day, so a seed gives the same files
# on any day.
REFERENCE_DATE = dt.date(2025, 11, 3)

COSMIC_COLUMNS = (
    "Personnummer", "Patient", "Vårdenhet", "OrdinationsID", "Läkemedel", "Substans",
    "Styrka", "Läkemedelsform", "Administreringsväg", "Dosering", "Doseringstyp",
    "Insättningsdatum", "Utsättningsdatum", "Status", "Ordinationstyp", "Dosdispenserad",
    "ATC", "Förskrivare", "Ändamål", "Senast ändrad",
)  # fmt: skip
PASCAL_COLUMNS = (
    "Personnummer", "Namn", "ReceptID", "Förskrivet läkemedel", "Verksamt ämne", "Styrka",
    "Läkemedelsform", "Administreringssätt", "Användning", "Morgon", "Middag", "Kväll", "Natt",
    "Dispensering", "Vid behov", "Insättningsdatum", "Sista giltighetsdag", "Utsatt",
    "Förskrivare", "ATC", "NPL-id", "Behandlingsorsak", "Ändrad",
)  # fmt: skip


_DATE_MIN = -400  # days after the reference date (Sista giltighetsdag)
_DATES = pl.Series(
    [str(REFERENCE_DATE - dt.timedelta(days=d)) for d in range(_DATE_MIN, 4000)], dtype=pl.String
)


def _date(days_before: pl.Expr) -> pl.Expr:
    """Date text for a number of days before the reference date (a lookup, not strftime)."""
    return pl.lit(_DATES).gather(days_before - _DATE_MIN)


def _when(mask: pl.Expr, value: pl.Expr | str) -> pl.Expr:
    return pl.when(mask).then(value if isinstance(value, pl.Expr) else pl.lit(value))


def render(
    rows: dict[str, np.ndarray],
    tab: Tables,
    patients: pl.DataFrame,
    system: int,
    *,
    first_id: int,
    shuffle: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The export frame and, row for row, ``base``, ``line_id``, ``active_rx``.

    Rows are grouped per patient; ``shuffle`` mixes the order of a patient's lines (as
    real exports do), otherwise they keep the plan's order.
    """
    s = tab.series
    base = pl.col("base").cast(pl.UInt64)
    order = (
        (base * 2654435761 + pl.col("copy") * 97) % (1 << 32)
        if shuffle
        else base * 2 + pl.col("copy")
    )
    codes = pl.DataFrame(rows).with_columns(order=order)
    codes = codes.sort("patient", "order")
    c = pl.col
    n = codes.height
    prefix = "C-" if system == COSMIC else "P-"
    line_id = pl.Series(np.arange(first_id, first_id + n)).cast(pl.String)
    noise = c("noise")
    misspell = (noise & P.NOISE_MISSPELL) > 0 if system == COSMIC else pl.lit(False)
    texts = pl.concat([s["text_all"], s["text_explicit"]])
    g = codes  # gathers below index the small tables with the row codes
    frame = g.with_columns(
        line_id=pl.lit(prefix) + line_id,
        name=pl.when(c("alt_form"))
        .then(s["alt_product"].gather(g["alt_product"]))
        .when(misspell)
        .then(s["product_misspelled"].gather(g["product"]))
        .otherwise(s["product"].gather(g["product"])),
        form_text=pl.when(c("alt_form"))
        .then(s["alt_form"].gather(g["template"]))
        .otherwise(s["form"].gather(g["form"])),
        strength_text=s["strength"].gather(g["strength"]),
        substance_text=s["substance_text"].gather(
            pl.Series(np.maximum(g["substance"].to_numpy(), 0))
        ),
        route=pl.when(c("alt_route"))
        .then(s["alt_route"].gather(g["template"]))
        .otherwise(s["route"].gather(g["template"])),
        dosing=texts.gather(pl.Series(np.maximum(g["text"].to_numpy(), 0))),
        atc=s["atc"].gather(g["template"]),
        purpose=s["purpose"].gather(g["template"]),
        prescriber_name=pl.Series(PRESCRIBERS).gather(g["prescriber"] % len(PRESCRIBERS)),
    )
    form_in_product = c("form_text").str.to_lowercase()
    if system == COSMIC:
        abbreviate = ((noise & P.NOISE_ABBREVIATION) > 0) & (c("form_text") == "Tablett")
        form_in_product = pl.when(abbreviate).then(pl.lit("tabl")).otherwise(form_in_product)
    product_text = pl.concat_str(c("name"), form_in_product, c("strength_text"), separator=" ")
    substance = _when(c("substance") >= 0, c("substance_text"))
    dosing = _when(c("text") >= 0, c("dosing"))
    start = _date(c("start_days"))
    end_days = 1 + c("choice") % (c("start_days") - 1).clip(lower_bound=1)
    ended = c("status") == ENDED
    changed_days = c("choice") % 25 + pl.when(c("stale")).then(40 + c("choice") % 200).otherwise(0)
    changed = _date(changed_days) + " " + (8 + c("choice") % 9).cast(pl.String).str.zfill(2)
    changed = changed + ":" + (c("choice") % 60).cast(pl.String).str.zfill(2)
    patient = patients.select("cosmic_pnr", "pascal_pnr", "cosmic_name", "pascal_name", "care_unit")
    frame = frame.hstack(patient[codes["patient"]])
    active_rx = (c("status") == ACTIVE) & (c("order_type") == PRESCRIPTION)
    meta = frame.select("base", "line_id", active_rx=active_rx)
    if system == COSMIC:
        out = frame.select(
            c("cosmic_pnr").alias("Personnummer"),
            c("cosmic_name").alias("Patient"),
            c("care_unit").alias("Vårdenhet"),
            c("line_id").alias("OrdinationsID"),
            product_text.alias("Läkemedel"),
            substance.alias("Substans"),
            c("strength_text").alias("Styrka"),
            _when((noise & P.NOISE_NO_FORM) == 0, c("form_text")).alias("Läkemedelsform"),
            c("route").alias("Administreringsväg"),
            dosing.alias("Dosering"),
            pl.when(c("as_needed"))
            .then(pl.lit("Vid behov"))
            .when(c("special"))
            .then(pl.lit("Enligt särskild ordination"))
            .otherwise(pl.lit("Stående"))
            .alias("Doseringstyp"),
            start.alias("Insättningsdatum"),
            _when(ended, _date(end_days)).alias("Utsättningsdatum"),
            pl.when(ended)
            .then(pl.lit("Utsatt"))
            .when(c("status") == PAUSED)
            .then(pl.lit("Pausad"))
            .otherwise(pl.lit("Aktiv"))
            .alias("Status"),
            c("order_type")
            .replace_strict({0: "Recept", 1: "Rekvisition", 2: "Egenvård"}, return_dtype=pl.String)
            .alias("Ordinationstyp"),
            _when(
                (noise & P.NOISE_NO_DISPENSING) == 0,
                pl.when(c("dose_dispensed")).then(pl.lit("Ja")).otherwise(pl.lit("Nej")),
            ).alias("Dosdispenserad"),
            _when((noise & P.NOISE_NO_ATC) == 0, c("atc")).alias("ATC"),
            c("prescriber_name").alias("Förskrivare"),
            c("purpose").alias("Ändamål"),
            changed.alias("Senast ändrad"),
        )
    else:
        cells = s["columns"]
        slot_base = (g["regimen"] * 3 + g["column_variant"]) * 4
        slots = {}
        for i, name in enumerate(("Morgon", "Middag", "Kväll", "Natt")):
            frame = frame.with_columns(cells.gather(slot_base + i).alias(f"_slot{i}"))
            slots[name] = _when(c("columns") & (c(f"_slot{i}") != ""), c(f"_slot{i}"))
        expired = (noise & P.NOISE_EXPIRED) > 0
        valid = pl.when(expired).then(1 + c("choice") % 20).otherwise(-(30 + c("choice") % 330))
        npl = pl.concat_str(
            pl.lit("19"),
            c("template").cast(pl.String).str.zfill(3),
            c("product").cast(pl.String).str.zfill(4),
            c("strength").cast(pl.String).str.zfill(5),
        )
        out = frame.select(
            c("pascal_pnr").alias("Personnummer"),
            c("pascal_name").alias("Namn"),
            c("line_id").alias("ReceptID"),
            product_text.alias("Förskrivet läkemedel"),
            substance.alias("Verksamt ämne"),
            c("strength_text").alias("Styrka"),
            c("form_text").alias("Läkemedelsform"),
            c("route").alias("Administreringssätt"),
            dosing.alias("Användning"),
            *(expr.alias(name) for name, expr in slots.items()),
            pl.when(c("dose_dispensed"))
            .then(pl.lit("Dosdispenserad"))
            .otherwise(pl.lit("Helförpackning"))
            .alias("Dispensering"),
            pl.when(c("as_needed")).then(pl.lit("Ja")).otherwise(pl.lit("Nej")).alias("Vid behov"),
            start.alias("Insättningsdatum"),
            _date(valid).alias("Sista giltighetsdag"),
            _when(ended, _date(end_days)).alias("Utsatt"),
            c("prescriber_name").alias("Förskrivare"),
            c("atc").alias("ATC"),
            npl.alias("NPL-id"),
            (c("purpose").str.slice(0, 1).str.to_uppercase() + c("purpose").str.slice(1)).alias(
                "Behandlingsorsak"
            ),
            changed.alias("Ändrad"),
        )
    return out.cast(pl.String), meta


def write_pair(pair: SyntheticPair, folder: str | Path, *, fmt: str = "csv") -> tuple[Path, Path]:
    """Write ``cosmic.csv`` and ``pascal.csv`` (``;``, UTF-8) into ``folder``, owner-only.

    ``fmt="xlsx"`` writes ``cosmic.xlsx`` / ``pascal.xlsx`` instead (first sheet, header
    in row 1), which is slow for large frames and meant for small test files.
    """
    target = ensure_private_dir(Path(folder))
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown format {fmt!r} (csv or xlsx)")
    paths = []
    for name, frame in (("cosmic", pair.cosmic), ("pascal", pair.pascal)):
        path = target / f"{name}.{fmt}"
        with atomic_private_path(path) as tmp:
            if fmt == "csv":
                frame.write_csv(tmp, separator=";")
            else:
                write_xlsx(frame, tmp)
        paths.append(path)
    return paths[0], paths[1]


def write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    """One sheet, header in row 1, every cell text (as an export holds it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(frame.columns))
    for row in frame.iter_rows():
        sheet.append(["" if v is None else v for v in row])
    book.save(path)

"""``resolve_lines``: canonical lines -> lines with their clinical meaning.

Adds every column of ``RESOLVED_EXTRA_SCHEMA``. Python work (substance resolution,
strength, form, dosing text) runs once per DISTINCT combination of the texts it reads and
is joined back onto all lines by a hash key; the daily amount is a polars expression
over all lines at once, so the cost grows with the number of distinct texts, not lines.
The product side (substance, strength, form, route) is read in ``product_reading``; the
dose side is read here.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import polars as pl

from medrecon.normalise.catalogue import Catalogue, load_catalogue
from medrecon.normalise.daily_amount import daily_amount_columns
from medrecon.normalise.dose_model import DOSE_COLUMNS_SCHEMA, DoseReading
from medrecon.normalise.dosing import countable_units, dose_from_slots, parse_dosing
from medrecon.normalise.product_reading import (
    _CKEY,
    CLINICAL_KEYS,
    _blank,
    _clinical_frame,
)
from medrecon.schema import CANONICAL_SCHEMA, RESOLVED_EXTRA_SCHEMA

log = logging.getLogger(__name__)

DOSE_KEYS = ("dosing_text", "dose_morning", "dose_noon", "dose_evening", "dose_night", "as_needed")
SLOT_COLUMNS = ("dose_morning", "dose_noon", "dose_evening", "dose_night")

_DKEY = "__dose_key"

_DOSE_SCHEMA: dict[str, pl.DataType] = {
    _DKEY: pl.UInt64(),
    **DOSE_COLUMNS_SCHEMA,
    "dose_text_conflict": pl.Boolean(),
}


def _column(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name in frame.columns:
        return pl.col(name).cast(CANONICAL_SCHEMA[name])
    return pl.lit(None, dtype=CANONICAL_SCHEMA[name]).alias(name)


# --- dose side -------------------------------------------------------------------------------


def _safe_parse(text: str) -> DoseReading:
    try:
        return parse_dosing(text)
    except Exception:  # the parser promises not to raise; a bug must not stop a nightly run
        log.exception("Doseringstexten kunde inte läsas (internt fel i tolken).")
        return DoseReading(text=text, understood=False)


def _slots_of(reading: DoseReading) -> tuple[float, ...]:
    return tuple(v or 0.0 for v in reading.slots)


def _texts_disagree(text: DoseReading, slots: DoseReading) -> bool:
    """Pascal: do the Användning text and the time columns say different things?"""
    if not text.understood or not slots.understood:
        return False
    if text.amount_max is None and text.daily_units is None and not text.as_needed:
        return False  # a marker only ("enligt ordination"): nothing to compare
    if text.as_needed != slots.as_needed:
        return True
    if text.unit is not None and text.unit not in countable_units():
        return False  # "500 mg x 2" against columns that count pieces: not comparable
    if (
        text.daily_units is not None
        and slots.daily_units is not None
        and abs(text.daily_units - slots.daily_units) > 1e-9
    ):
        return True
    has_text_slots = any(v is not None for v in text.slots)
    return has_text_slots and _slots_of(text) != _slots_of(slots)


def _with_text_interval(slots: DoseReading, text: DoseReading) -> DoseReading:
    """Take the days and the sides from the text; the time columns only say the time of day.

    Pascal's time columns give the amount at each dispensing time; which days (weekly,
    every other day, Mondays and Thursdays) and how many eyes or nostrils only the
    Användning text can say.
    """
    if not text.understood or slots.daily_units is None:
        return slots
    interval = text.interval_days if text.interval_days and text.interval_days > 1 else 1.0
    factor = text.laterality / interval
    if factor == 1.0:
        return slots
    return replace(
        slots,
        interval_days=interval,
        weekdays=text.weekdays if interval > 1 else slots.weekdays,
        laterality=text.laterality,
        daily_units=slots.daily_units * factor,
        daily_units_min=(slots.daily_units_min or slots.daily_units) * factor,
    )


# Marker of readings that are understood but are no standing dose to compare.
MARKER_STEPS = "stegvis dosering"


def _not_standing(reading: DoseReading) -> DoseReading:
    """A reading with later steps is no comparable standing dose.

    "2 tabletter dagligen i 10 dagar, därefter 1 tablett dagligen" is not 2 a day for good:
    the numbers are dropped and a marker kept, so the engine compares the texts instead.
    A course of one dose ("1x2 i 10 dagar") is compared as that dose.
    """
    if not reading.understood or not reading.steps:
        return reading
    return DoseReading(text=reading.text, understood=False, marker=MARKER_STEPS)


def read_dose(
    text: str | None,
    slots: tuple[float | None, float | None, float | None, float | None],
    as_needed: bool | None,
    cache: dict[str, DoseReading] | None = None,
) -> dict[str, Any]:
    """Dose columns of one distinct (text, time columns, as-needed) combination.

    When any time column is filled (Pascal) the columns are the dispensed truth; the text
    then only flags ``dose_text_conflict`` when it was understood and says otherwise. A
    text with steps is no standing dose, with or without columns: not understood, with
    the marker "stegvis dosering".
    """
    cache = cache if cache is not None else {}
    text_reading: DoseReading | None = None
    if not _blank(text):
        assert text is not None
        if text not in cache:
            cache[text] = _not_standing(_safe_parse(text))
        text_reading = cache[text]
    flag = bool(as_needed)
    from_slots = any(v is not None for v in slots)
    conflict = False
    if from_slots and text_reading is not None and text_reading.marker == MARKER_STEPS:
        reading = text_reading  # the columns show one step of a schedule that changes
    elif from_slots:
        unit = None
        if text_reading is not None and text_reading.understood:
            unit = text_reading.unit if text_reading.unit in countable_units() else None
        reading = dose_from_slots(*slots, as_needed=flag, text=text or "", unit=unit)
        if text_reading is not None:
            reading = _with_text_interval(reading, text_reading)
            conflict = _texts_disagree(text_reading, reading)
    elif text_reading is not None:
        reading = text_reading
    else:
        reading = DoseReading(text="", understood=False)
    columns = reading.as_columns()
    columns["dose_as_needed"] = bool(reading.as_needed or flag)
    columns["dose_text_conflict"] = conflict
    return columns


def _dose_frame(distinct: pl.DataFrame) -> pl.DataFrame:
    cache: dict[str, DoseReading] = {}
    data: dict[str, list[Any]] = {name: [] for name in _DOSE_SCHEMA}
    data[_DKEY] = distinct[_DKEY].to_list()
    for row in distinct.select(DOSE_KEYS).iter_rows():
        text, morning, noon, evening, night, as_needed = row
        columns = read_dose(text, (morning, noon, evening, night), as_needed, cache)
        for name in DOSE_COLUMNS_SCHEMA:
            data[name].append(columns[name])
        data["dose_text_conflict"].append(columns["dose_text_conflict"])
    return pl.DataFrame(data, schema=_DOSE_SCHEMA)


# --- the pipeline --------------------------------------------------------------------------------


def resolve_lines(lines: pl.DataFrame, catalogue: Catalogue | None = None) -> pl.DataFrame:
    """The input lines (same rows, same order) plus every RESOLVED_EXTRA_SCHEMA column.

    Columns of CANONICAL_SCHEMA that the input lacks are read as empty. Resolved columns
    already present (a frame resolved before) are recomputed, so resolving is idempotent.
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    base = lines.drop([c for c in RESOLVED_EXTRA_SCHEMA if c in lines.columns])
    keyed = base.select(
        *[_column(base, name) for name in {*CLINICAL_KEYS, *DOSE_KEYS}],
    ).with_columns(
        pl.struct(list(CLINICAL_KEYS)).hash(seed=0).alias(_CKEY),
        pl.struct(list(DOSE_KEYS)).hash(seed=0).alias(_DKEY),
    )
    clinical = _clinical_frame(keyed.unique(_CKEY, keep="first"), catalogue)
    dose = _dose_frame(keyed.unique(_DKEY, keep="first"))
    resolved = (
        keyed.select(_CKEY, _DKEY)
        .join(clinical, on=_CKEY, how="left", maintain_order="left")
        .join(dose, on=_DKEY, how="left", maintain_order="left")
        .with_columns(daily_amount_columns())
    )
    extra = resolved.select(
        [pl.col(name).cast(dtype) for name, dtype in RESOLVED_EXTRA_SCHEMA.items()]
    )
    return _hstack_aligned(base, extra)


def _hstack_aligned(base: pl.DataFrame, extra: pl.DataFrame) -> pl.DataFrame:
    """``base.hstack(extra)`` with every column cut into the same chunks.

    polars copies a whole frame whose columns are chunked differently before most
    operations on it; for millions of lines that copy costs more memory than the columns
    added here, so ``extra`` is cut at ``base``'s chunk boundaries (slices share memory).
    """
    layouts = {tuple(column.chunk_lengths()) for column in base.iter_columns()}
    if len(layouts) > 1:
        base = base.rechunk()
        layouts = {(base.height,)}
    lengths = next(iter(layouts), (base.height,))
    extra = extra.rechunk()
    if len(lengths) > 1:
        offsets = [sum(lengths[:i]) for i in range(len(lengths))]
        extra = pl.concat(
            [extra.slice(o, n) for o, n in zip(offsets, lengths, strict=True)], rechunk=False
        )
    return base.hstack(extra)


def read_product_text(
    text: str, catalogue: Catalogue | None = None, **columns: Any
) -> dict[str, Any]:
    """How medrecon reads one product text: the resolved columns of a one-line frame.

    Extra canonical columns (``strength_text=``, ``form_text=``, ``dosing_text=``...) may be
    given. Goes through ``resolve_lines`` so that it reads exactly as the pipeline does.
    """
    row: dict[str, Any] = {name: None for name in CANONICAL_SCHEMA}
    row.update(columns, product_text=text)
    frame = pl.DataFrame([row], schema=CANONICAL_SCHEMA)
    resolved = resolve_lines(frame, catalogue)
    return resolved.select(list(RESOLVED_EXTRA_SCHEMA)).to_dicts()[0]

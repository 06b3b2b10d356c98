"""The structured reading of a dosing instruction, shared by the reader and the pipeline.

A ``DoseReading`` is what medrecon understood from a Swedish dosing text (``Dosering`` /
``Användning``) or from Pascal's four time columns. When the text is not understood,
``understood`` is False and every numeric field is None: the text is kept, never guessed.
Amounts are per administration and, for eye, ear and nose doses, per eye, ear or nostril;
``laterality`` (2 for both sides) says how many sides get that amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

# Names of the four dose-dispensing times, in order.
SLOTS = ("morning", "noon", "evening", "night")


@dataclass(frozen=True)
class DoseReading:
    text: str  # the text as read ("" for a reading built from time columns)
    understood: bool
    marker: str | None = None  # "enligt ordination", "enligt INR", "enligt schema", ...
    amount_min: float | None = None  # per administration (lower end of a range like 1-2)
    amount_max: float | None = None  # per administration (upper end; equal when no range)
    # canonical unit: tablett, kapsel, ml, mg, g, mikrog, E, droppe, puff, dos, plåster, ...
    # None when the text names no unit ("1x2"): the product's own unit
    unit: str | None = None
    times_per_day: float | None = None  # administrations per dosing day (upper end)
    times_min: float | None = None  # lower end of a frequency range ("1-3 gånger")
    # the number of administrations is written ("2 gånger", "morgon och kväll", "1+0+1"),
    # not only implied by "dagligen" ("2 tabletter dagligen" may be a daily total)
    times_stated: bool = False
    # amount at morning, noon, evening, night when the text or columns say so, else None
    slots: tuple[float | None, float | None, float | None, float | None] = (None, None, None, None)
    interval_days: float | None = None  # 1 daily, 2 every other day, 7 weekly, 3.5 twice a week
    weekdays: tuple[str, ...] = ()  # ("måndag", "torsdag")
    # different fixed amounts on different weekdays ("2 tabletter lördag och söndag, övriga
    # dagar 1 tablett"): (weekdays, amount) per part, the rest of the week as (); the
    # amounts then span amount_min..amount_max and daily_units is the mean over the week
    by_weekday: tuple[tuple[tuple[str, ...], float], ...] = ()
    as_needed: bool = False
    max_per_day: float | None = None  # as-needed maximum per day ("högst 8 per dygn")
    max_unit: str | None = None  # the maximum's unit when it is not the dose's ("max 4 g")
    max_per_week: float | None = None  # "dock max 2 gånger i veckan"
    laterality: int = 1  # 2: both eyes, ears or nostrils
    duration_days: float | None = None  # this step's length ("i 5 dagar")
    course_days: float | None = None  # the whole regimen's length when it ends
    steps: tuple[DoseReading, ...] = field(default=())  # later steps ("... sedan ...")
    # the as-needed part of a mixed order ("1x2 + 1 vb"); the reading itself is standing
    also_as_needed: DoseReading | None = None
    # Mean number of units per day for a standing dose, using the upper end of a range and
    # averaging over the interval (1 tablet weekly = 1/7), times laterality. None for
    # as-needed or unknown.
    daily_units: float | None = None
    daily_units_min: float | None = None  # the same with the lower ends of the ranges

    @property
    def is_steps(self) -> bool:
        return bool(self.steps)

    def as_columns(self) -> dict[str, object]:
        """The reading as the dose columns of ``RESOLVED_EXTRA_SCHEMA``."""
        morning, noon, evening, night = self.slots
        return {
            "dose_understood": self.understood,
            "dose_marker": self.marker,
            "dose_amount_min": self.amount_min,
            "dose_amount_max": self.amount_max,
            "dose_unit": self.unit,
            "times_per_day": self.times_per_day,
            "times_stated": self.times_stated,
            "slot_morning": morning,
            "slot_noon": noon,
            "slot_evening": evening,
            "slot_night": night,
            "interval_days": self.interval_days,
            "dose_as_needed": self.as_needed,
            "max_per_day": self.max_per_day,
            "max_unit": self.max_unit,
            "laterality": self.laterality,
            "daily_units": self.daily_units,
            "daily_units_min": self.daily_units_min,
            "dose_course_days": self.course_days,
            "dose_has_steps": bool(self.steps),
            "extra_as_needed": self.also_as_needed is not None,
        }


DOSE_COLUMNS_SCHEMA: dict[str, pl.DataType] = {
    "dose_understood": pl.Boolean(),
    "dose_marker": pl.String(),
    "dose_amount_min": pl.Float64(),
    "dose_amount_max": pl.Float64(),
    "dose_unit": pl.String(),
    "times_per_day": pl.Float64(),
    "times_stated": pl.Boolean(),
    "slot_morning": pl.Float64(),
    "slot_noon": pl.Float64(),
    "slot_evening": pl.Float64(),
    "slot_night": pl.Float64(),
    "interval_days": pl.Float64(),
    "dose_as_needed": pl.Boolean(),
    "max_per_day": pl.Float64(),
    "max_unit": pl.String(),
    "laterality": pl.Int8(),
    "daily_units": pl.Float64(),
    "daily_units_min": pl.Float64(),
    "dose_course_days": pl.Float64(),
    "dose_has_steps": pl.Boolean(),
    "extra_as_needed": pl.Boolean(),
}

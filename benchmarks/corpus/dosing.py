"""Dosing texts: read correctly, not read ("not understood"), or read wrongly.

A text labelled ``not_interpretable`` is correct when medrecon says it does not
understand it, and read wrongly when it states a dose. Any other text is read correctly
only when every labelled field agrees: kind (standing / as needed / step), amount range,
unit, administrations a day, slots, interval, weekdays, as-needed maximum and its unit,
laterality and course length. "Not read" is the safe failure; "read wrongly" must be 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.corpus import close, number, read_tsv
from medrecon.normalise.dose_model import DoseReading
from medrecon.normalise.dosing import parse_dosing

WEEKDAY = dict(
    zip(
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
        strict=True,
    )
)


@dataclass
class DosingScore:
    total: int = 0
    correct: int = 0
    not_read: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    wrong: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (kind, text, why)

    def share(self, n: int) -> float:
        return n / self.total if self.total else 0.0


def mismatches(label: dict[str, str], reading: DoseReading) -> list[str]:
    """Why an understood reading disagrees with the label (empty when it agrees)."""
    kind = label["kind"]
    if kind == "not_interpretable":
        return ["read, but labelled not interpretable"]
    wrong = []
    if (kind == "as_needed") != reading.as_needed:
        wrong.append(f"as_needed={reading.as_needed}")
    if (kind == "step") != bool(reading.steps):
        wrong.append(f"steps={len(reading.steps)}")
    if not close(number(label["amount_low"]), reading.amount_min) or not close(
        number(label["amount_high"]), reading.amount_max
    ):
        wrong.append(f"amount={reading.amount_min}-{reading.amount_max}")
    if label["unit"] != (reading.unit or ""):
        wrong.append(f"unit={reading.unit}")
    if kind != "as_needed":
        if not close(number(label["times_per_day"]), reading.times_per_day):
            wrong.append(f"times={reading.times_per_day}")
        if not close(number(label["interval_days"]), reading.interval_days):
            wrong.append(f"interval={reading.interval_days}")
    slots = tuple(float(v) for v in label["slots"].split(",")) if label["slots"] else None
    read_slots = None
    if any(v is not None for v in reading.slots):
        read_slots = tuple(v or 0.0 for v in reading.slots)
    if slots != read_slots:
        wrong.append(f"slots={read_slots}")
    days = tuple(WEEKDAY[d] for d in label["weekdays"].split(",")) if label["weekdays"] else ()
    if days != tuple(reading.weekdays):
        wrong.append(f"weekdays={reading.weekdays}")
    if not close(number(label["prn_max_per_day"]), reading.max_per_day):
        wrong.append(f"max={reading.max_per_day}")
    elif label["prn_max_per_day"]:
        read_unit = reading.max_unit or reading.unit or ""
        if (label["prn_max_unit"] or "") != read_unit:
            wrong.append(f"max_unit={read_unit}")
    if int(label["laterality_factor"]) != reading.laterality:
        wrong.append(f"laterality={reading.laterality}")
    if not close(number(label["course_days"]), reading.course_days):
        wrong.append(f"course={reading.course_days}")
    return wrong


def score_dosing(corpus: Path) -> DosingScore:
    score = DosingScore()
    for label in read_tsv(corpus / "dosing_texts.tsv"):
        score.total += 1
        reading = parse_dosing(label["text"])
        if not reading.understood:
            if label["kind"] == "not_interpretable":
                score.correct += 1
            else:
                score.not_read.append((label["kind"], label["text"]))
            continue
        why = mismatches(label, reading)
        if why:
            score.wrong.append((label["kind"], label["text"], why))
        else:
            score.correct += 1
    return score

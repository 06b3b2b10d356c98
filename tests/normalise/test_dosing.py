"""Rule cases (tests/cases/dosing/*.toml) and the dosing parser's contract."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from medrecon.errors import MedreconError
from medrecon.normalise.dose_model import SLOTS, DoseReading
from medrecon.normalise.dosing import (
    dose_from_slots,
    normalise_dosing_text,
    parse_dosing,
    parse_dosing_many,
)
from medrecon.normalise.dosing.lexicon import build_lexicon
from medrecon.rules_path import rules_dir

CASES_DIR = Path(__file__).resolve().parent.parent / "cases" / "dosing"
NUMERIC = (
    "amount_min",
    "amount_max",
    "times_per_day",
    "times_min",
    "interval_days",
    "max_per_day",
    "daily_units",
    "daily_units_min",
    "duration_days",
    "course_days",
    "extra_amount",
)
KNOWN_FIELDS = {
    "text",
    "understood",
    "unit",
    "slots",
    "weekdays",
    "as_needed",
    "marker",
    "steps",
    "max_unit",
    "laterality",
    "extra_as_needed",
    "extra_amount",
    "by_weekday",
    "why",
    *NUMERIC,
}
# Checked in every case, with these values when the case leaves them out.
ALWAYS = {
    "as_needed": False,
    "marker": None,
    "max_per_day": None,
    "max_unit": None,
    "duration_days": None,
    "course_days": None,
    "slots": None,
    "weekdays": [],
    "laterality": 1,
    "extra_as_needed": False,
    "by_weekday": [],
}


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for number, case in enumerate(data["case"], start=1):
            case_id = f"{path.stem}:{number}:{case.get('text', '')[:40]}"
            params.append(pytest.param(case, id=case_id))
    return params


CASES = _load_cases()


def _close(actual: float | None, expected: float | None) -> bool:
    if expected is None or actual is None:
        return actual is expected
    # the case files round 7/3 to six decimals
    return actual == pytest.approx(expected, rel=1e-6, abs=1e-5)


def _slots(reading: DoseReading) -> list[float] | None:
    if all(v is None for v in reading.slots):
        return None
    return [float(v) if v is not None else float("nan") for v in reading.slots]


def _mismatches(reading: DoseReading, expected: dict[str, Any], always: bool) -> list[str]:
    wanted = ({**ALWAYS, "steps": []} if always else {}) | expected
    wrong = []
    for field, value in wanted.items():
        if field in ("text", "steps", "why"):
            continue
        if field == "understood":
            actual: Any = reading.understood
        elif field == "extra_as_needed":
            actual = reading.also_as_needed is not None
        elif field == "extra_amount":
            extra = reading.also_as_needed
            actual = None if extra is None else extra.amount_max
        elif field == "slots":
            actual = _slots(reading)
            if value is not None:
                value = [float(v) for v in value]
        elif field == "weekdays":
            actual = list(reading.weekdays)
        elif field == "by_weekday":
            actual = [[list(days), amount] for days, amount in reading.by_weekday]
        else:
            actual = getattr(reading, field)
        same = _close(actual, value) if field in NUMERIC else actual == value
        if field == "slots" and actual is not None and value is not None:
            same = all(_close(a, e) for a, e in zip(actual, value, strict=True))
        if not same:
            wrong.append(f"{field}: expected {value!r}, got {actual!r}")
    if "steps" in wanted:
        if len(reading.steps) != len(wanted["steps"]):
            wrong.append(f"steps: expected {len(wanted['steps'])}, got {len(reading.steps)}")
        else:
            for i, (step, exp) in enumerate(zip(reading.steps, wanted["steps"], strict=True)):
                wrong += [f"step {i + 2} {w}" for w in _mismatches(step, exp, always=False)]
    return wrong


def test_there_are_enough_rule_cases() -> None:
    texts = {case.values[0]["text"] for case in CASES}
    assert len(texts) >= 300


@pytest.mark.parametrize("case", CASES)
def test_rule_case(case: dict[str, Any]) -> None:
    unknown = set(case) - KNOWN_FIELDS
    assert not unknown, f"unknown field(s) in the case file: {sorted(unknown)}"
    assert "text" in case and "understood" in case, "every case needs text and understood"
    reading = parse_dosing(case["text"])
    assert reading.text == case["text"]
    wrong = _mismatches(reading, case, always=True)
    assert not wrong, "\n".join(wrong)
    if not reading.understood:
        # the contract: a text that is not understood carries no numbers at all
        assert all(getattr(reading, f) is None for f in NUMERIC if f != "extra_amount")
        assert reading.also_as_needed is None
        assert reading.unit is None
        assert reading.slots == (None, None, None, None)
        assert reading.steps == ()
        assert not reading.as_needed


# --- dose_from_slots: Pascal's time columns ------------------------------------------------


def test_columns_morning_and_evening_read_like_the_text_and_the_shorthand() -> None:
    columns = dose_from_slots(1, None, 1, None)
    for text in ("1+0+1+0", "1 tablett morgon och kväll", "Morgon 1, Kväll 1"):
        reading = parse_dosing(text)
        assert (reading.times_per_day, reading.slots, reading.daily_units) == (
            columns.times_per_day,
            columns.slots,
            columns.daily_units,
        ), text
    assert columns.slots == (1.0, 0.0, 1.0, 0.0)
    assert columns.interval_days == 1.0
    assert columns.unit is None


def test_columns_keep_the_given_unit_and_text() -> None:
    reading = dose_from_slots(0.5, 0, 0, 1, text="½ tablett morgon, 1 till natten", unit="tablett")
    assert reading.understood
    assert reading.unit == "tablett"
    assert reading.text == "½ tablett morgon, 1 till natten"
    assert (reading.amount_min, reading.amount_max) == (0.5, 1.0)
    assert reading.daily_units == 1.5


@pytest.mark.parametrize(
    "columns",
    [(None, None, None, None), (0, 0, 0, 0), (float("nan"), None, 0, None), (-1, 0, 1, 0)],
)
def test_columns_without_a_dose_are_not_understood(columns: tuple[Any, ...]) -> None:
    reading = dose_from_slots(*columns)
    assert not reading.understood
    assert reading.daily_units is None
    assert reading.slots == (None, None, None, None)


def test_columns_as_needed_say_when_but_no_maximum_and_no_daily_units() -> None:
    reading = dose_from_slots(None, None, None, 1, as_needed=True)
    text = parse_dosing("1 tablett till natten vid behov")
    assert reading.as_needed and text.as_needed
    assert reading.daily_units is None and text.daily_units is None
    # a time of day says when the dose may be given, not how many times
    assert reading.max_per_day is None and text.max_per_day is None
    assert reading.slots == text.slots == (0.0, 0.0, 0.0, 1.0)


# --- API details -----------------------------------------------------------------------------


def test_none_and_non_text_are_not_understood() -> None:
    assert parse_dosing(None) == DoseReading(text="", understood=False)
    assert not parse_dosing(3.5).understood  # type: ignore[arg-type]


def test_overlong_text_is_not_read() -> None:
    reading = parse_dosing("1 tablett dagligen " + "mot smärta " * 200)
    assert not reading.understood


def test_parse_many_reads_each_distinct_text_once() -> None:
    readings = parse_dosing_many(["1x2", "1x2", "enligt ordination", None])  # type: ignore[list-item]
    assert set(readings) == {"1x2", "enligt ordination"}
    assert readings["1x2"].daily_units == 2.0
    assert readings["enligt ordination"].marker == "enligt ordination"


def test_as_columns_uses_slot_names() -> None:
    columns = parse_dosing("1 tablett till natten").as_columns()
    assert [columns[f"slot_{name}"] for name in SLOTS] == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1½ Tabl.  x 2", "1.5 tabl. x 2"),
        ("0,5 tablett", "0.5 tablett"),
        ("1/2 tablett", "0.5 tablett"),
        ("1 1/2 tablett", "1.5 tablett"),
        ("1–2 tabletter", "1-2 tabletter"),
        ("2/1 tablett", "2/1 tablett"),
        ("½+0+½", "0.5+0+ 0.5"),
        # a combination strength and a date are no fractions
        ("97/103 mg", "97/103 mg"),
        ("12/11", "12/11"),
        # numbers and words apart, "x" between a unit and a count
        ("2ggr/dag", "2 ggr/dag"),
        ("1tx2", "1 t x 2"),
        ("max6/d", "max 6/d"),
        ("1*2", "1 x 2"),
    ],
)
def test_normalisation(text: str, expected: str) -> None:
    assert normalise_dosing_text(text) == expected


def test_the_packaged_rules_file_compiles() -> None:
    lexicon = build_lexicon(rules_dir() / "dosing.toml")
    assert lexicon.unit_of["tabletter"] == "tablett"


def test_a_broken_rules_file_is_a_swedish_error(tmp_path: Path) -> None:
    broken = tmp_path / "dosing.toml"
    broken.write_text("[units]\ntablett = 'inte en lista'\n", encoding="utf-8")
    with pytest.raises(MedreconError, match="Regelfilen"):
        build_lexicon(broken)
    with pytest.raises(MedreconError, match="kunde inte läsas"):
        build_lexicon(tmp_path / "saknas.toml")


def test_a_misspelt_section_or_key_is_refused_with_its_line(tmp_path: Path) -> None:
    good = (rules_dir() / "dosing.toml").read_text(encoding="utf-8")
    misspelt = tmp_path / "dosing.toml"
    misspelt.write_text(good + "\n[maximun]\nwords = ['högst']\n", encoding="utf-8")
    with pytest.raises(MedreconError, match=r"rad \d+.*okänt avsnitt \[maximun\]"):
        build_lexicon(misspelt)
    misspelt.write_text(good.replace("[maximum]\nwords", "[maximum]\nword"), encoding="utf-8")
    with pytest.raises(MedreconError, match=r"okänd nyckel 'word' i \[maximum\]"):
        build_lexicon(misspelt)

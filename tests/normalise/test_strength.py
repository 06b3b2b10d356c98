"""Strength texts -> value(s) and unit, including texts that must not be read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medrecon.normalise.strength import format_strength, parse_strength, strip_strengths


@pytest.mark.parametrize(
    ("text", "values", "unit"),
    [
        ("500 mg", (500.0,), "mg"),
        ("500mg", (500.0,), "mg"),
        ("0,5 g", (500.0,), "mg"),
        ("0.5 g", (500.0,), "mg"),
        ("1 g", (1000.0,), "mg"),
        ("75 mikrogram", (0.075,), "mg"),
        ("75 µg", (0.075,), "mg"),
        ("75 mcg", (0.075,), "mg"),
        ("100 E/ml", (100.0,), "E/ml"),
        ("100 IE/ml", (100.0,), "E/ml"),
        ("100 enheter/ml", (100.0,), "E/ml"),
        ("20 mg/ml", (20.0,), "mg/ml"),
        ("250 mg/5 ml", (50.0,), "mg/ml"),
        ("40 mg/0,4 ml", (100.0,), "mg/ml"),
        ("160 mg/800 mg", (160.0, 800.0), "mg"),
        ("50/12,5 mg", (50.0, 12.5), "mg"),
        ("5 %", (5.0,), "%"),
        ("10 mg/dos", (10.0,), "mg/dos"),
        ("160 mikrogram/4,5 mikrogram/dos", (0.16, 0.0045), "mg/dos"),
        ("12 mikrog/timme", (0.012,), "mg/timme"),
        ("5 mikrogram/h", (0.005,), "mg/timme"),
        ("4,6 mg/24 timmar", (4.6,), "mg/dygn"),
        ("500 mg/400 IE", (500.0, 400.0), "mg + E"),
        ("10 000 IE", (10000.0,), "E"),
        ("1 mmol/ml", (1.0,), "mmol/ml"),
        ("11,6 mg/g", (11.6,), "mg/g"),
        ("STYRKA 500 MG", (500.0,), "mg"),
    ],
)
def test_strengths_are_normalised(text: str, values: tuple[float, ...], unit: str) -> None:
    strength = parse_strength(text)
    assert strength is not None
    assert strength.values == pytest.approx(values)
    assert strength.unit == unit
    assert strength.value == pytest.approx(values[0])


@pytest.mark.parametrize(
    "text", [None, "", "   ", "mg", "500", "abc", "2x500", "½ tablett", "D3", "mg/ml", "E"]
)
def test_texts_without_number_and_unit_give_nothing(text: str | None) -> None:
    assert parse_strength(text) is None


def test_strength_inside_product_text() -> None:
    strength = parse_strength("Calcichew-D3 Forte 500 mg/400 IE tuggtablett")
    assert strength is not None and strength.values == (500.0, 400.0)
    # "30" in "Mixtard 30" is part of the name, not a strength
    mixtard = parse_strength("Mixtard 30 100 IE/ml")
    assert mixtard is not None and mixtard.values == (100.0,) and mixtard.unit == "E/ml"


def test_strip_strengths_keeps_the_names() -> None:
    assert strip_strengths("Losartan/Hydroklortiazid 50 mg/12,5 mg").split() == [
        "losartan/hydroklortiazid"
    ]


def test_format_strength_is_swedish() -> None:
    assert format_strength((0.075,), "mg") == "0,075 mg"
    assert format_strength((160.0, 4.5), "mg/dos") == "160 + 4,5 mg/dos"


@given(st.text(max_size=60))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    strength = parse_strength(text)
    if strength is not None:
        assert strength.values and all(v >= 0 for v in strength.values)
    strip_strengths(text)

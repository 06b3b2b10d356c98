"""Swedish wording of numbers, amounts and dose units (medrecon.swedish), in its Python
and polars forms."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medrecon.swedish import (
    PLURAL,
    amount,
    counted,
    format_amount,
    format_count,
    format_mass,
    format_number,
    format_slots,
    number,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.571429, "0,571"),
        (1.875, "1,88"),
        (285.714286, "286"),
        (12.5, "12,5"),
        (1.25, "1,25"),
        (2.0, "2"),
        (1000.0, "1000"),
        (0.0045, "0,0045"),
        (0.0, "0"),
        (None, "–"),
        (math.nan, "–"),
    ],
)
def test_format_number(value: float | None, text: str) -> None:
    assert format_number(value) == text


@given(st.floats(min_value=0.0001, max_value=1e7, allow_nan=False))
def test_numbers_are_short_and_close(value: float) -> None:
    text = format_number(value)
    assert "." not in text
    significant = text.replace(",", "").lstrip("0").rstrip("0")
    assert value >= 100 or len(significant) <= 3, text  # whole numbers are kept whole
    assert math.isclose(float(text.replace(",", ".")), value, rel_tol=0.05)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1, "tablett", "1 tablett"),
        (2, "tablett", "2 tabletter"),
        (1.5, "tablett", "1,5 tabletter"),
        (0.5, "tablett", "0,5 tablett"),
        (2, "droppe", "2 droppar"),
        (3, "kapsel", "3 kapslar"),
        (2, "plåster", "2 plåster"),
        (10, "ml", "10 ml"),
        (2, None, "2"),
    ],
)
def test_format_count(value: float, unit: str | None, text: str) -> None:
    assert format_count(value, unit) == text


def test_masses_in_micrograms_only_when_written_so() -> None:
    assert format_mass(0.075, micro=True) == "75 µg"
    assert format_mass(0.075) == "0,075 mg"
    assert format_mass(3000) == "3 g"
    assert format_mass(1000, micro=True) == "1000 mg"
    assert format_mass(2.5, micro=True) == "2,5 mg"
    assert format_amount(0.01, "mg/timme", micro=True) == "10 µg/timme"
    assert format_amount(20, "mg/ml") == "20 mg/ml"
    assert format_amount(400, "E") == "400 E"
    assert format_amount(2, "tablett") == "2 tabletter"


def test_slots_do_not_read_as_a_range() -> None:
    assert format_slots((1, 0, 2, 0), "tablett") == "1 tablett på morgonen, 2 på kvällen"
    assert format_slots((2, 0, 0, 1), "tablett") == "2 tabletter på morgonen, 1 till natten"
    assert format_slots((0, 0.5, 0, 0), None) == "0,5 mitt på dagen"


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False))
def test_python_and_polars_write_every_number_the_same(value: float) -> None:
    column = pl.select(number(pl.lit(value, pl.Float64))).item()
    assert column == format_number(value)


@given(
    st.floats(min_value=0.001, max_value=5000, allow_nan=False),
    st.sampled_from([*PLURAL, "ml", "E", "plåster", "mikrog"]),
)
def test_python_and_polars_count_the_same(value: float, unit: str) -> None:
    column = pl.select(counted(pl.lit(None, pl.Float64), pl.lit(value), pl.lit(unit))).item()
    assert column == format_count(value, unit)


@given(st.floats(min_value=0.001, max_value=20000, allow_nan=False), st.booleans())
def test_python_and_polars_write_masses_the_same(value: float, micro: bool) -> None:
    column = pl.select(amount(pl.lit(value), pl.lit("mg"), pl.lit(micro), per="")).item()
    assert column == format_mass(value, micro=micro)

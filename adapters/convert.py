"""Typed values from export text, as polars expressions with a Swedish problem per cell.

Each parser returns ``(value, problem)``: ``value`` is the typed column (null when the
cell is empty or unreadable) and ``problem`` a ``Problem``: ``bad`` is true where the
row is rejected for this cell, ``message`` the reason, naming the column as the file
writes it and the value. Messages are built only for the (few) bad rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

NULL_TEXT = pl.lit(None, dtype=pl.String)

_DATE = r"^\d{4}-\d{2}-\d{2}$"
_DECIMAL = r"^(?:\d+(?:[.,]\d+)?|[.,]\d+)$"
_UNICODE_FRACTION = r"^(\d*)\s*([½¼¾])$"
_RATIO = r"^(?:(\d+)\s+)?(\d+)\s*/\s*(\d+)$"
_FRACTION_VALUE = {"½": 0.5, "¼": 0.25, "¾": 0.75}


def clean(field: str) -> pl.Expr:
    """A raw cell's text, trimmed; an empty cell is null (applied once to every field)."""
    return pl.col(field).str.strip_chars().replace("", None)


def cell(field: str) -> pl.Expr:
    """A field's cleaned text (the frame's fields went through ``clean`` already)."""
    return pl.col(field)


def choice_keys(choices: Mapping[str, object]) -> dict[str, object]:
    """Lookup for controlled values: lower case, and å/ä/ö also written as a/a/o."""
    keys: dict[str, object] = {}
    for text, code in choices.items():
        lower = text.lower()
        keys[lower] = code
        keys[lower.replace("å", "a").replace("ä", "a").replace("ö", "o")] = code
    return keys


@dataclass(frozen=True)
class Problem:
    """Why a row is rejected: ``bad`` (Boolean) where it applies, and its ``message``."""

    bad: pl.Expr
    message: pl.Expr


def _problem(bad: pl.Expr, what: str, header: str, text: pl.Expr, hint: str = "") -> Problem:
    message = pl.concat_str([pl.lit(f'{what} i kolumnen "{header}": "'), text, pl.lit(f'"{hint}')])
    return Problem(bad, message)


def parse_date(text: pl.Expr, header: str) -> tuple[pl.Expr, Problem]:
    """``YYYY-MM-DD``; anything else, or an impossible date, is a problem."""
    value = (
        pl.when(text.str.contains(_DATE))
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .otherwise(pl.lit(None, dtype=pl.Date))
    )
    return value, _problem(
        text.is_not_null() & value.is_null(), "ogiltigt datum", header, text, " (ÅÅÅÅ-MM-DD)"
    )


_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$"
_TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_timestamp(text: pl.Expr, header: str) -> tuple[pl.Expr, Problem]:
    """``YYYY-MM-DD HH:MM`` (also with seconds, a ``T``, or a bare date at midnight)."""
    # One shape check, then polars' own parsers (which cache repeated values) per form.
    parsed = pl.coalesce(
        *(text.str.to_datetime(f, time_unit="us", strict=False) for f in _TIMESTAMP_FORMATS),
        text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")),
    )
    value = (
        pl.when(text.str.contains(_TIMESTAMP))
        .then(parsed)
        .otherwise(pl.lit(None, dtype=pl.Datetime("us")))
    )
    return value, _problem(
        text.is_not_null() & value.is_null(),
        "ogiltig tidpunkt",
        header,
        text,
        " (ÅÅÅÅ-MM-DD TT:MM)",
    )


def parse_choice(
    text: pl.Expr, header: str, choices: Mapping[str, object], dtype: pl.DataType
) -> tuple[pl.Expr, Problem]:
    """A controlled value; ``choices`` maps each export text to its canonical value."""
    keys = choice_keys(choices)
    value = text.str.to_lowercase().replace_strict(keys, default=None, return_dtype=dtype)
    shown = ", ".join(choices)
    return value, _problem(
        text.is_not_null() & value.is_null(), "okänt värde", header, text, f" (tillåtna: {shown})"
    )


def parse_amount(text: pl.Expr, header: str) -> tuple[pl.Expr, Problem]:
    """Amount at a dispensing time: ``2``, ``0,5``, ``1.5``, ``½``, ``1½``, ``1/2``, ``1 1/2``."""
    decimal = (
        pl.when(text.str.contains(_DECIMAL))
        .then(text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False))
        .otherwise(pl.lit(None, dtype=pl.Float64))
    )
    whole = text.str.extract(_UNICODE_FRACTION, 1)
    fraction = text.str.extract(_UNICODE_FRACTION, 2).replace_strict(
        _FRACTION_VALUE, default=None, return_dtype=pl.Float64
    )
    unicode = pl.when(whole == "").then(0.0).otherwise(whole.cast(pl.Float64)) + fraction
    ratio_whole = text.str.extract(_RATIO, 1).cast(pl.Float64).fill_null(0.0)
    numerator = text.str.extract(_RATIO, 2).cast(pl.Float64)
    denominator = text.str.extract(_RATIO, 3).cast(pl.Float64)
    ratio = (
        pl.when(denominator > 0)
        .then(ratio_whole + numerator / denominator)
        .otherwise(pl.lit(None, dtype=pl.Float64))
    )
    value = pl.coalesce(decimal, unicode, ratio)
    return value, _problem(
        text.is_not_null() & value.is_null(), "ogiltig mängd", header, text, " (t.ex. 1, ½, 0,5)"
    )

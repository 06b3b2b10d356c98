"""Typed values from export text, as polars expressions with a Swedish problem per cell.

``Parsers`` turns a field's cleaned text into a typed private column (null when the cell
is empty or unreadable) and records a ``Problem``: ``bad`` is true where the row is
rejected for that cell, ``message`` the reason, naming the column as the file writes it
and the value. Each value is parsed once; messages are built only for the few bad rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

NULL_TEXT = pl.lit(None, dtype=pl.String)

_DATE = r"^\d{4}-\d{2}-\d{2}$"
_DECIMAL = r"^(?:\d+(?:[.,]\d+)?|[.,]\d+)$"
_UNICODE_FRACTION = r"^(\d*)\s*([½¼¾])$"
_RATIO = r"^(?:(\d+)\s+)?(\d+)\s*/\s*(\d+)$"
_FRACTION_VALUE = {"½": 0.5, "¼": 0.25, "¾": 0.75}


def clean(field: str, *, trim: bool = True) -> pl.Expr:
    """A raw cell's text, trimmed; an empty cell is null (applied once to every field).

    ``trim=False`` when the reader knows no cell begins or ends with whitespace.
    """
    text = pl.col(field)
    return (text.str.strip_chars() if trim else text).replace("", None)


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


@dataclass(frozen=True)
class Conversion:
    """A layout's conversion: typed values computed once (``parsed``, private columns),
    the canonical columns built from them, and every problem a row can have."""

    parsed: list[pl.Expr]
    columns: list[pl.Expr]
    problems: list[Problem]


class Parsers:
    """Typed values of one file's fields, each parsed once into a private column.

    Each method returns a reference to that column; the value's problem (a non-empty
    cell that did not parse) reads the same column instead of parsing again.
    """

    def __init__(self, header: Mapping[str, str]) -> None:
        self._header = header
        self.columns: list[pl.Expr] = []
        self.problems: list[Problem] = []

    def name(self, field: str) -> str:
        """The column's name as the file writes it (for messages)."""
        return self._header.get(field, field)

    def _add(self, field: str, value: pl.Expr, what: str, hint: str) -> pl.Expr:
        column = f"_parsed_{len(self.columns)}"
        self.columns.append(value.alias(column))
        text = cell(field)
        message = pl.concat_str(
            [pl.lit(f'{what} i kolumnen "{self.name(field)}": "'), text, pl.lit(f'"{hint}')]
        )
        self.problems.append(Problem(text.is_not_null() & pl.col(column).is_null(), message))
        return pl.col(column)

    def date(self, field: str) -> pl.Expr:
        value = by_distinct(cell(field), date_value, pl.Date())  # dates repeat a lot
        return self._add(field, value, "ogiltigt datum", " (ÅÅÅÅ-MM-DD)")

    def timestamp(self, field: str) -> pl.Expr:
        return self._add(
            field, timestamp_value(cell(field)), "ogiltig tidpunkt", " (ÅÅÅÅ-MM-DD TT:MM)"
        )

    def choice(self, field: str, choices: Mapping[str, object], dtype: pl.DataType) -> pl.Expr:
        keys = choice_keys(choices)
        value = by_distinct(
            cell(field),
            lambda text: text.str.to_lowercase().replace_strict(
                keys, default=None, return_dtype=dtype
            ),
            dtype,
        )
        return self._add(field, value, "okänt värde", f" (tillåtna: {', '.join(choices)})")

    def amount(self, field: str) -> pl.Expr:
        value = by_distinct(cell(field), amount_value, pl.Float64())
        return self._add(field, value, "ogiltig mängd", " (t.ex. 1, ½, 0,5)")


# Few distinct values among many rows (a status, an amount): parse each distinct text once.
_DISTINCT_SHARE = 0.01


def by_distinct(text: pl.Expr, parse: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType) -> pl.Expr:
    """``parse(text)``, computed once per distinct text when there are few of them."""

    def run(column: pl.Series) -> pl.Series:
        distinct = column.drop_nulls().unique()
        if distinct.len() > max(16, _DISTINCT_SHARE * column.len()):
            return column.to_frame("t").select(parse(pl.col("t"))).to_series()
        values = distinct.to_frame("t").select(parse(pl.col("t"))).to_series()
        return column.replace_strict(distinct, values, default=None, return_dtype=dtype)

    return text.map_batches(run, return_dtype=dtype)


def date_value(text: pl.Expr) -> pl.Expr:
    """``YYYY-MM-DD``; anything else, or an impossible date, is null."""
    return (
        pl.when(text.str.contains(_DATE))
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .otherwise(pl.lit(None, dtype=pl.Date))
    )


_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$"
_TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def timestamp_value(text: pl.Expr) -> pl.Expr:
    """``YYYY-MM-DD HH:MM`` (also with seconds, a ``T``, or a bare date at midnight)."""
    return text.map_batches(_timestamps, return_dtype=pl.Datetime("us"))


def _timestamps(column: pl.Series) -> pl.Series:
    """The shape is checked once (polars' parsers accept "9:31" for "%H:%M"); the spec's
    own form is parsed for every value and the other forms only where it failed."""
    shaped = column.str.contains(_TIMESTAMP).fill_null(False)
    parsed = column.str.to_datetime(_TIMESTAMP_FORMATS[0], time_unit="us", strict=False)
    parsed = pl.select(pl.when(shaped).then(parsed)).to_series()
    rest = shaped & parsed.is_null()
    if rest.any():
        others = (
            column.filter(rest)
            .to_frame("t")
            .select(
                pl.coalesce(
                    *(
                        pl.col("t").str.to_datetime(f, time_unit="us", strict=False)
                        for f in _TIMESTAMP_FORMATS[1:]
                    ),
                    pl.col("t").str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")),
                )
            )
        )
        parsed = parsed.scatter(rest.arg_true(), others.to_series())
    return parsed.rename(column.name)


def amount_value(text: pl.Expr) -> pl.Expr:
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
    return pl.coalesce(decimal, unicode, ratio)

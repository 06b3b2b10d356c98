"""Patient ids: personnummer, samordningsnummer and Värmland reserve numbers.

Every id is normalised to one canonical 12-character form without separator:

- personnummer ``YYYYMMDDNNNN`` from ``194005121234``, ``19400512-1234``, ``400512-1234``,
  ``4005121234`` or ``400512+1234`` (``+`` = 100 years or older);
- samordningsnummer: the same forms with the day plus 60 (``194005721234``), kept as is;
- Region Värmland reserve numbers ``YYYYMMDD`` + ``S`` + one of ``F U X P L`` + a digit +
  a letter or digit (``19400512SF1A``), upper-cased, without check digit.

Personnummer and samordningsnummer carry a Luhn check digit over the 10-digit form.
Everything here is polars expressions so that a million ids are checked at once.
"""

from __future__ import annotations

from datetime import date
from typing import overload

import polars as pl

from medrecon.errors import MedreconError

ID_FIELD = "patient_id"
REASON_FIELD = "reason"

_TWELVE = r"^(\d{8})-?(\d{4})$"
_TEN = r"^(\d{6})([-+]?)(\d{4})$"
_RESERVE = r"^(\d{8})(S[FUXPL]\d[0-9A-Z])$"


def _luhn_ok(ten_digits: pl.Expr) -> pl.Expr:
    """True when the 10-digit string passes the Luhn check (weights 2,1,2,1,...)."""
    total = pl.lit(0, dtype=pl.Int32)
    for pos in range(10):
        digit = ten_digits.str.slice(pos, 1).cast(pl.Int32, strict=False)
        if pos % 2 == 0:
            doubled = digit * 2
            total = total + pl.when(doubled > 9).then(doubled - 9).otherwise(doubled)
        else:
            total = total + digit
    return total % 10 == 0


@overload
def normalise_patient_ids(ids: pl.Expr, *, today: date | None = None) -> pl.Expr: ...


@overload
def normalise_patient_ids(ids: pl.Series, *, today: date | None = None) -> pl.DataFrame: ...


def normalise_patient_ids(
    ids: pl.Expr | pl.Series, *, today: date | None = None
) -> pl.Expr | pl.DataFrame:
    """Canonical ids and a Swedish reason for every id that is not valid.

    Given a Series, returns a DataFrame with the columns ``patient_id`` (canonical 12
    characters, null when invalid) and ``reason`` (null when valid), one row per input.
    Given an expression, returns a struct expression with those two fields. The work is
    done once per *distinct* id (an export repeats each patient on every line) and
    joined back. ``today`` fixes the century of ``YYMMDD-NNNN`` forms (tests pass a date).
    """
    day = today or date.today()
    if isinstance(ids, pl.Series):
        return _normalise_series(ids, day)
    return ids.map_batches(
        lambda s: _normalise_series(s, day).to_struct(s.name),
        return_dtype=pl.Struct({ID_FIELD: pl.String(), REASON_FIELD: pl.String()}),
    )


def _normalise_series(ids: pl.Series, today: date) -> pl.DataFrame:
    frame = ids.cast(pl.String).rename("raw").to_frame()
    distinct = frame.unique("raw")
    checked = _check(distinct.lazy(), today).collect()
    return frame.join(
        checked, on="raw", how="left", nulls_equal=True, maintain_order="left"
    ).select(ID_FIELD, REASON_FIELD)


def _check(frame: pl.LazyFrame, today: date) -> pl.LazyFrame:
    """Columns ``patient_id`` and ``reason`` for a frame with the column ``raw``."""
    today_num = today.year * 10000 + today.month * 100 + today.day
    century = today.year // 100 * 100
    c = pl.col
    frame = frame.with_columns(text=c("raw").str.strip_chars().str.to_uppercase()).with_columns(
        long_date=c("text").str.extract(_TWELVE, 1),
        long_serial=c("text").str.extract(_TWELVE, 2),
        short_date=c("text").str.extract(_TEN, 1),
        short_sign=c("text").str.extract(_TEN, 2),
        short_serial=c("text").str.extract(_TEN, 3),
        reserve_date=c("text").str.extract(_RESERVE, 1),
        reserve_tail=c("text").str.extract(_RESERVE, 2),
    )
    # 10-digit forms: the century from today; the birthday may not lie in the future, and
    # "+" means 100 years more. Samordningsnummer count from the real day (day - 60).
    frame = frame.with_columns(
        yy=c("short_date").str.slice(0, 2).cast(pl.Int32),
        mmdd=c("short_date").str.slice(2, 4).cast(pl.Int32),
    ).with_columns(
        year=pl.lit(century, dtype=pl.Int32) + c("yy"),
        real_mmdd=pl.when(c("mmdd") % 100 > 60).then(c("mmdd") - 60).otherwise(c("mmdd")),
    )
    frame = frame.with_columns(
        year=pl.when(c("year") * 10000 + c("real_mmdd") > today_num)
        .then(c("year") - 100)
        .otherwise(c("year"))
    ).with_columns(year=pl.when(c("short_sign") == "+").then(c("year") - 100).otherwise(c("year")))
    frame = frame.with_columns(
        date8=pl.coalesce(
            c("long_date"),
            c("year").cast(pl.String).str.zfill(4) + c("short_date").str.slice(2, 4),
            c("reserve_date"),
        ),
        serial=pl.coalesce(c("long_serial"), c("short_serial")),
        is_reserve=c("reserve_date").is_not_null(),
    ).with_columns(day=c("date8").str.slice(6, 2).cast(pl.Int32, strict=False))
    frame = frame.with_columns(
        is_coordination=~c("is_reserve") & (c("day") > 60),
    ).with_columns(
        birth=pl.when(c("is_coordination"))
        .then(c("date8").str.slice(0, 6) + (c("day") - 60).cast(pl.String).str.zfill(2))
        .otherwise(c("date8")),
        luhn=_luhn_ok(c("date8").str.slice(2, 6) + c("serial")),
    )
    kind = (
        pl.when(c("is_reserve"))
        .then(pl.lit("reservnummer"))
        .when(c("is_coordination"))
        .then(pl.lit("samordningsnummer"))
        .otherwise(pl.lit("personnummer"))
    )
    frame = frame.with_columns(
        birth_date=c("birth").str.to_date("%Y%m%d", strict=False),
        birth_num=c("birth").cast(pl.Int64, strict=False),
        kind=kind,
        shown=c("raw").str.strip_chars(),
    )

    def bad(why: str, word: pl.Expr) -> pl.Expr:
        return pl.concat_str(
            [pl.lit("ogiltigt "), word, pl.lit(" "), c("shown"), pl.lit(f" ({why})")]
        )

    reason = (
        pl.when(c("shown").is_null() | (c("shown") == ""))
        .then(pl.lit("personnummer saknas"))
        .when(c("date8").is_null())
        .then(bad("okänt format", pl.lit("personnummer")))
        .when(c("birth_date").is_null())
        .then(bad("omöjligt datum", c("kind")))
        .when(c("birth_num") > today_num)
        .then(bad("datum i framtiden", c("kind")))
        .when(~c("is_reserve") & ~c("luhn"))
        .then(bad("kontrollsiffra", c("kind")))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    canonical = (
        pl.when(c("is_reserve"))
        .then(c("date8") + c("reserve_tail"))
        .otherwise(c("date8") + c("serial"))
    )
    return frame.with_columns(reason.alias(REASON_FIELD)).select(
        "raw",
        pl.when(c(REASON_FIELD).is_null())
        .then(canonical)
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias(ID_FIELD),
        REASON_FIELD,
    )


def canonical_patient_id(text: str, *, today: date | None = None) -> str:
    """The canonical form of one id typed by a user; raises ``MedreconError`` if invalid."""
    result = normalise_patient_ids(pl.Series([text], dtype=pl.String), today=today)
    row = result.row(0, named=True)
    if row[ID_FIELD] is None:
        raise MedreconError(f"{row[REASON_FIELD]}.", title="Ogiltigt personnummer")
    return str(row[ID_FIELD])


def display_patient_id(patient_id: str) -> str:
    """``194005121234`` as ``19400512-1234``; reserve numbers are shown as they are."""
    if len(patient_id) == 12 and patient_id.isdigit():
        return f"{patient_id[:8]}-{patient_id[8:]}"
    return patient_id


def display_patient_ids(ids: pl.Expr) -> pl.Expr:
    """``display_patient_id`` as an expression, for whole columns."""
    return (
        pl.when(ids.str.contains(r"^\d{12}$"))
        .then(pl.concat_str(ids.str.slice(0, 8), pl.lit("-"), ids.str.slice(8, 4)))
        .otherwise(ids)
    )

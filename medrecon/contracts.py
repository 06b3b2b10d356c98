"""The canonical line as a validated contract at the Python API's door (dataframely).

``CANONICAL_SCHEMA`` says which columns a canonical line has and their dtypes; this
module adds what values they may hold (the codes of ``source``, ``status``,
``order_type`` and ``dispensing``, positive line numbers, non-negative dose columns)
and which columns a caller must give. ``check_lines`` validates a frame handed to
``reconcile()``: a Cosmic line with ``status="utsatt"`` would otherwise be judged active
and ``line="rad-7"`` silently become null. An invalid frame raises ``ContractError``
naming each column, what is wrong and a few of the bad values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dataframely as dy
import polars as pl

from medrecon.errors import MedreconError
from medrecon.schema import (
    CANONICAL_SCHEMA,
    DISPENSING_DOSE,
    DISPENSING_PACKAGE,
    ORDER_TYPES,
    STATUSES,
    SYSTEMS,
)

# A caller must give these: without them a line cannot be paired or shown.
REQUIRED_COLUMNS = ("patient_id", "line_id", "product_text")

ALLOWED_CODES: dict[str, tuple[str, ...]] = {
    "source": SYSTEMS,
    "status": STATUSES,
    "order_type": ORDER_TYPES,
    "dispensing": (DISPENSING_DOSE, DISPENSING_PACKAGE),
}
_DOSE_COLUMNS = ("dose_morning", "dose_noon", "dose_evening", "dose_night")
_TYPE_WORD = {
    pl.String: "text",
    pl.Int64: "heltal",
    pl.Float64: "tal",
    pl.Boolean: "sant/falskt",
    pl.Date: "datum",
    pl.Datetime: "tidpunkt",
}
_SHOWN_VALUES = 5


def _one_of(values: Sequence[str]) -> Callable[[pl.Expr], pl.Expr]:
    return lambda column: column.is_in(list(values))


def _column(name: str, dtype: pl.DataType) -> dy.Column:
    nullable = name not in REQUIRED_COLUMNS
    if name in ALLOWED_CODES:
        return dy.String(nullable=nullable, check=_one_of(ALLOWED_CODES[name]))
    if dtype == pl.String:
        return dy.String(nullable=nullable, min_length=0 if nullable else 1)
    if dtype == pl.Int64:
        return dy.Int64(nullable=nullable, min=1)  # line numbers count from 1
    if dtype == pl.Float64:
        return dy.Float64(nullable=nullable, min=0.0 if name in _DOSE_COLUMNS else None)
    if dtype == pl.Boolean:
        return dy.Bool(nullable=nullable)
    if dtype == pl.Date:
        return dy.Date(nullable=nullable)
    if isinstance(dtype, pl.Datetime):
        return dy.Datetime(nullable=nullable, time_unit=dtype.time_unit)
    raise TypeError(f"no contract column for {name}: {dtype}")


CanonicalLines: type[dy.Schema] = type(
    "CanonicalLines",
    (dy.Schema,),
    {name: _column(name, dtype) for name, dtype in CANONICAL_SCHEMA.items()},
)


class ContractError(MedreconError):
    """A frame handed to the engine does not follow the canonical line contract."""


def _reason(rule: str, column: str) -> str:
    if rule == "dtype":
        dtype = CANONICAL_SCHEMA[column]
        word = _TYPE_WORD.get(type(dtype), _TYPE_WORD.get(dtype, str(dtype)))  # type: ignore[call-overload]
        return f"värden som inte är {word}"
    if rule == "nullability":
        return "tomma värden (kolumnen krävs)"
    if rule == "check":
        return f"okända värden (tillåtna: {', '.join(ALLOWED_CODES[column])})"
    if rule == "min":
        return "för små värden (radnummer börjar på 1, doser är inte negativa)"
    if rule == "min_length":
        return "tomma värden (kolumnen krävs)"
    return f"värden som bryter regeln {rule}"


def check_lines(frame: pl.DataFrame, system: str) -> pl.DataFrame:
    """``frame`` in the canonical dtypes (missing optional columns as nulls, extra columns
    kept), or ``ContractError`` when it breaks the contract."""
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise ContractError(
            f"Indata för {system} saknar kolumnerna {', '.join(missing)}, som krävs.",
            title="Fel i indata",
        )
    filled = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in CANONICAL_SCHEMA.items()
        if name not in frame.columns
    )
    # Everything arrives as given (pandas objects, strings): dataframely casts and checks.
    valid, failure = CanonicalLines.filter(filled.select(list(CANONICAL_SCHEMA)), cast=True)
    counts = failure.counts()
    if not counts:
        extra = [c for c in frame.columns if c not in CANONICAL_SCHEMA]
        return valid.hstack(frame.select(extra)) if extra else valid
    details = failure.details()
    problems = []
    order = {name: i for i, name in enumerate(CANONICAL_SCHEMA)}
    for key in sorted(counts, key=lambda k: (order.get(k.split("|")[0], -1), k)):
        column, rule = key.split("|", 1)
        bad = details.filter(pl.col(key).cast(pl.String) == "invalid")[column]
        values = bad.cast(pl.String).unique(maintain_order=True).head(_SHOWN_VALUES).to_list()
        shown = ", ".join("tomt" if v is None else repr(v) for v in values)
        rows = "1 rad" if counts[key] == 1 else f"{counts[key]} rader"
        problems.append(f"kolumnen {column} har {_reason(rule, column)}: {shown} ({rows})")
    raise ContractError(
        f"Indata för {system} följer inte formatet för läkemedelsrader: "
        + "; ".join(problems)
        + ".",
        title="Fel i indata",
    )

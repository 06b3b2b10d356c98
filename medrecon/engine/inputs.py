"""Turning what a caller hands the engine into one frame of resolved lines.

The engine accepts a ``LoadResult`` or a polars or pandas frame in the canonical schema
for each system. Both systems are stacked into one frame (``source`` tells them apart),
resolved once (distinct texts are shared between the systems), and given the few
derived columns the tiers and the judges read. Derived columns start with ``_`` and are
dropped before the lines are returned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from medrecon.model import FileReport, LoadResult
from medrecon.schema import (
    CANONICAL_SCHEMA,
    CONTENT_COLUMNS,
    COSMIC,
    ORDER_PRESCRIPTION,
    REJECTED_SCHEMA,
    RESOLVED_EXTRA_SCHEMA,
    STATUS_ENDED,
    STATUS_PAUSED,
    empty_frame,
)

RESOLVED_SCHEMA: dict[str, pl.DataType] = {**CANONICAL_SCHEMA, **RESOLVED_EXTRA_SCHEMA}


def _to_polars(data: Any) -> pl.DataFrame:
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return pl.from_pandas(data)
    raise TypeError(
        f"reconcile() expects a LoadResult or a polars/pandas DataFrame, got {type(data).__name__}"
    )


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Columns of ``schema`` in its dtypes (missing ones as nulls), extra columns kept."""
    exprs = []
    for name, dtype in schema.items():
        if name in frame.columns:
            exprs.append(pl.col(name).cast(dtype, strict=False))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    extra = [c for c in frame.columns if c not in schema]
    return frame.select([*exprs, *extra])


def unpack(data: Any, source: str) -> tuple[pl.DataFrame, pl.DataFrame, list[FileReport]]:
    """Lines, rejected rows and file reports of one system's input."""
    if isinstance(data, LoadResult):
        # The adapters build lines in the contract already.
        lines, rejected, files = data.lines, data.rejected, list(data.files)
    else:
        from medrecon.contracts import check_lines  # dataframely: only for API frames

        frame = _to_polars(data)
        if "source" not in frame.columns:
            frame = frame.with_columns(source=pl.lit(source))
        lines = check_lines(frame.with_columns(pl.col("source").fill_null(source)), source)
        rejected, files = empty_frame(REJECTED_SCHEMA), []
    resolved = all(name in lines.columns for name in RESOLVED_EXTRA_SCHEMA)
    lines = conform(lines, RESOLVED_SCHEMA if resolved else CANONICAL_SCHEMA)
    lines = lines.with_columns(pl.col("source").fill_null(source))
    rejected = conform(rejected, REJECTED_SCHEMA).select(list(REJECTED_SCHEMA))
    rejected = rejected.with_columns(pl.col("source").fill_null(source))
    return lines, rejected, files


def resolve_both(cosmic: pl.DataFrame, pascal: pl.DataFrame) -> pl.DataFrame:
    """Both systems' lines, resolved, in one frame with ``RESOLVED_SCHEMA`` first."""
    already = [all(n in f.columns for n in RESOLVED_EXTRA_SCHEMA) for f in (cosmic, pascal)]
    if all(already):
        both = pl.concat([conform(cosmic, RESOLVED_SCHEMA), conform(pascal, RESOLVED_SCHEMA)])
        return both.select(list(RESOLVED_SCHEMA))
    from medrecon.normalise import resolve_lines  # heavy; only when lines need it

    raw = pl.concat(
        [
            conform(f, CANONICAL_SCHEMA).select(list(CANONICAL_SCHEMA))
            for f, done in zip((cosmic, pascal), already, strict=True)
            if not done
        ]
    )
    parts = [conform(resolve_lines(raw), RESOLVED_SCHEMA).select(list(RESOLVED_SCHEMA))]
    parts += [
        conform(f, RESOLVED_SCHEMA).select(list(RESOLVED_SCHEMA))
        for f, done in zip((cosmic, pascal), already, strict=True)
        if done
    ]
    return pl.concat(parts)


_SLOTS = ("slot_morning", "slot_noon", "slot_evening", "slot_night")


def _text_key(column: str) -> pl.Expr:
    """A text normalised for comparison: lower case, runs of whitespace collapsed."""
    return (
        pl.col(column)
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .fill_null("")
    )


def ended_as_of(as_of: dt.date) -> pl.Expr:
    """Ended or paused by its status, or by an end date on or before ``as_of``.

    A Cosmic line still marked active whose Utsättningsdatum has passed is ended; one whose
    end date lies ahead (a running course) is active. Pascal's Utsatt date ends a line
    from that day. Pascal's Sista giltighetsdag does not end a line (docs/judging.md).
    """
    by_status = pl.col("status").is_in([STATUS_ENDED, STATUS_PAUSED]).fill_null(False)
    by_date = (pl.col("end_date") <= pl.lit(as_of)).fill_null(False)
    return by_status | by_date


def with_derived(lines: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Add the engine's working columns (``_row``, ``_ended``, ``_prn``, ...)."""
    ended = ended_as_of(as_of)
    first_word = pl.col("product_text").str.to_lowercase().str.extract(r"^\s*([^\s\d,]+)", 1)
    display = pl.coalesce(
        pl.col("substance"),
        pl.col("substance_text").str.to_lowercase().str.strip_chars(),
    )
    return lines.with_row_index("_row").with_columns(
        # Ties between candidates are broken by line id, never by row order.
        _id_rank=pl.col("line_id").rank("dense").fill_null(0),
        _ended=ended,
        _rx=pl.col("order_type").fill_null(ORDER_PRESCRIPTION) == ORDER_PRESCRIPTION,
        _prn=(pl.col("as_needed").fill_null(False) | pl.col("dose_as_needed").fill_null(False)),
        _subst=display,
        _fuzzy_text=pl.coalesce(display, first_word),
        _dosing_key=_text_key("dosing_text"),
        _is_cosmic=pl.col("source") == COSMIC,
        # Which parts of the day and how much: compared for equality within one run only,
        # so polars' (version-dependent) hash is fine here.
        _times=pl.struct([pl.col(s).round(3).fill_null(0.0) for s in _SLOTS]).hash(),
        _n_subst=pl.col("substances").list.len().fill_null(0),
        # Integer keys for joins and group-bys (only equality matters, not the order).
        _pid=_code("patient_id"),
        _sid=_code("substance"),
        _nid=_code("npl_id"),
        _aid=_code("resolved_atc"),
    )


def with_content(lines: pl.DataFrame) -> pl.DataFrame:
    """``_content``: a line's id and clinical content as one string (for fingerprints)."""
    content = [
        pl.col(c).cast(pl.String).fill_null("") for c in ("source", "line_id", *CONTENT_COLUMNS)
    ]
    return lines.with_columns(_content=pl.concat_str(content, separator="\x1f"))


def _code(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Categorical).to_physical()

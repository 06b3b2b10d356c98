"""Raw findings: what judging produces before a finding gets its substance, severity,
explanation and fingerprint (``core._findings``).

A raw finding names its kind and the rows (``_row``) of the lines involved on each side.
"""

from __future__ import annotations

import polars as pl

_NO_ROWS = pl.lit([], pl.List(pl.UInt32))

RAW_SCHEMA: dict[str, pl.DataType] = {
    "_pid": pl.UInt32(),
    "kind": pl.String(),
    "mechanism": pl.String(),
    "score": pl.Float64(),
    "c_rows": pl.List(pl.UInt32()),
    "p_rows": pl.List(pl.UInt32()),
    # the substance a finding is about when its lines do not say it alone (a duplicate
    # of paracetamol alone and paracetamol + kodein is about paracetamol); else null
    "named": pl.String(),
    # a finer situation of the kind with its own severity (kinds.SITUATION_REGISTRY)
    "situation": pl.String(),
}


def as_raw(frame: pl.DataFrame) -> pl.DataFrame:
    """Raw findings in ``RAW_SCHEMA`` (``named`` null unless given)."""
    for optional in ("named", "situation"):
        if optional not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(optional))
    return frame.select(list(RAW_SCHEMA)).cast(RAW_SCHEMA)  # type: ignore[arg-type]


def one_side(frame: pl.DataFrame, kind: pl.Expr | str, rows: str, cosmic: str) -> pl.DataFrame:
    """Raw findings about lines of one side only: ``rows`` (a list column, or one row
    number) go to the Cosmic side where ``cosmic`` holds, else to the Pascal side."""
    listed = pl.col(rows) if frame.schema[rows] == pl.List(pl.UInt32) else pl.concat_list(rows)
    return as_raw(
        frame.select(
            "_pid",
            *(["named"] if "named" in frame.columns else []),
            kind=kind if isinstance(kind, pl.Expr) else pl.lit(kind),
            mechanism=pl.lit(None, pl.String),
            score=pl.lit(None, pl.Float64),
            c_rows=pl.when(cosmic).then(listed).otherwise(_NO_ROWS),
            p_rows=pl.when(cosmic).then(_NO_ROWS).otherwise(listed),
        )
    )


def no_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_SCHEMA)

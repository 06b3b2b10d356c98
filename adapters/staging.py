"""One file's raw cells into canonical columns, and the reason for each rejected row.

The system's module (``cosmic``/``pascal``) gives the canonical columns and the problems
a row can have, as polars expressions over the whole file. Each problem's ``bad`` flag
is computed for every row (cheap Booleans); the Swedish reasons are built only for the
few rows that have one. Line ids seen twice in one system's files are found with one
hash pass over the ids, and only the repeated ids are looked at further.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from adapters import cosmic, pascal
from adapters.convert import NULL_TEXT, Conversion, Problem, cell, clean
from adapters.headers import HeaderMatch
from adapters.raw_table import RawTable
from adapters.reading import LINE, column_name
from medrecon.ids import normalise_patient_ids
from medrecon.schema import COSMIC, PASCAL

REASON = "_reason"
ORDER = "_file_index"
_ID_REASON = "_id_reason"
ColumnBuilder = Callable[..., Conversion]
_BUILDERS: dict[str, ColumnBuilder] = {
    COSMIC: cosmic.canonical_columns,
    PASCAL: pascal.canonical_columns,
}


def stage_file(raw: RawTable, match: HeaderMatch, order: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Canonical columns of every readable row with ``REASON`` (null = loaded), and the
    malformed rows (``source, file, line, patient_id, reason``)."""
    layout = match.layout
    values = raw.rows.select(
        pl.col(LINE).alias("line"),
        *(
            clean(column_name(i), trim=raw.padded).alias(field)
            for field, i in match.columns.items()
        ),
        *(NULL_TEXT.alias(f) for f in layout.fields if f not in match.columns),
    )
    ids = _patient_ids(values.get_column("Personnummer"))
    values = values.with_columns(
        ids.get_column("patient_id"), ids.get_column("reason").alias(_ID_REASON)
    )
    conversion = _BUILDERS[layout.system](match.mapping)
    header = match.mapping
    product_field = layout.required[2]
    problems = [
        Problem(pl.col(_ID_REASON).is_not_null(), pl.col(_ID_REASON)),
        Problem(
            cell(layout.id_field).is_null(),
            pl.lit(f'rad-id saknas (kolumnen "{header[layout.id_field]}" är tom)'),
        ),
        Problem(
            cell(product_field).is_null(),
            pl.lit(f'läkemedel saknas (kolumnen "{header[product_field]}" är tom)'),
        ),
        *conversion.problems,
    ]
    # Each typed value is parsed once (in parallel over the columns); the problem flags
    # and the canonical columns then only read them.
    values = values.with_columns(conversion.parsed)
    bad = values.select(pl.any_horizontal(p.bad.fill_null(False) for p in problems)).to_series()
    staged = values.select(
        pl.lit(layout.system).alias("source"),
        pl.lit(raw.path.name).alias("file"),
        "line",
        "patient_id",
        # the id as written, kept only where it could not be read (for the engine's
        # "which patient is this row about" check; see REJECTED_SCHEMA)
        pl.when(pl.col("patient_id").is_null())
        .then(pl.col("Personnummer"))
        .alias("raw_patient_id"),
        *conversion.columns,
    )
    reason: pl.Series | pl.Expr = NULL_TEXT.alias(REASON)
    if bad.any():
        flagged = values.filter(bad).select(
            pl.concat_str(
                [pl.when(p.bad).then(p.message) for p in problems],
                separator="; ",
                ignore_nulls=True,
            ).alias(REASON)
        )
        reason = pl.Series(REASON, [None] * values.height, dtype=pl.String).scatter(
            bad.arg_true(), flagged.get_column(REASON)
        )
    del values
    staged = staged.with_columns(reason, pl.lit(order).alias(ORDER))
    malformed = raw.malformed.with_columns(
        _ids=normalise_patient_ids(
            pl.col("cells").list.get(match.columns["Personnummer"], null_on_oob=True)
        )
    ).select(
        pl.lit(layout.system).alias("source"),
        pl.lit(raw.path.name).alias("file"),
        pl.col(LINE).alias("line"),
        pl.col("_ids").struct.field("patient_id"),
        pl.lit(None, pl.String).alias("raw_patient_id"),
        pl.lit(None, pl.String).alias("patient_name"),
        pl.lit(None, pl.String).alias("care_unit"),
        pl.col("reason"),
        pl.lit(order).alias(ORDER),
    )
    return staged, malformed


def _patient_ids(raw: pl.Series) -> pl.DataFrame:
    """``normalise_patient_ids`` of every row, checked once per run of equal ids: an
    export lists a patient's lines together, so runs are few (a shuffled file is
    checked per distinct id instead)."""
    runs = raw.rle_id()
    if raw.len() and int(runs[-1]) + 1 <= raw.len() // 2:
        checked = normalise_patient_ids(raw.gather(runs.is_first_distinct().arg_true()))
        return checked.select(pl.all().gather(runs))
    return normalise_patient_ids(raw)


def mark_duplicates(staged: pl.DataFrame, id_field: str) -> pl.DataFrame:
    """A line id seen before in this system's files: the later row names the earlier one."""
    ids = staged.get_column("line_id")
    present = ids.drop_nulls()
    if present.hash().n_unique() == present.len():  # no two equal ids (hashes differ)
        return staged
    repeated = ids.is_duplicated() & ids.is_not_null()
    if not repeated.any():
        return staged
    rows = staged.select("line_id", "line", "file").with_row_index("_row").filter(repeated)
    first = rows.group_by("line_id", maintain_order=True).agg(
        pl.col("line").first().alias("_first_line"), pl.col("file").first().alias("_first_file")
    )
    later = (
        rows.join(first, on="line_id", how="left")
        .filter(pl.col("line_id").is_first_distinct().not_())
        .select(
            "_row",
            pl.concat_str(
                [
                    pl.lit(f"{id_field} "),
                    pl.col("line_id"),
                    pl.lit(" finns redan på rad "),
                    pl.col("_first_line").cast(pl.String),
                    pl.when(pl.col("_first_file") != pl.col("file"))
                    .then(pl.lit(" i ") + pl.col("_first_file"))
                    .otherwise(pl.lit("")),
                ]
            ).alias("_duplicate"),
        )
    )
    duplicate = pl.Series("_duplicate", [None] * staged.height, dtype=pl.String).scatter(
        later.get_column("_row"), later.get_column("_duplicate")
    )
    return staged.with_columns(
        pl.concat_str([pl.col(REASON), duplicate], separator="; ", ignore_nulls=True)
        .replace("", None)
        .alias(REASON)
    )

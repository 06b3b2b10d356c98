"""One file's header and rows, all strings, before any system-specific meaning."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from adapters.csv_records import LINE, control_problem

MALFORMED_SCHEMA = {LINE: pl.Int64(), "reason": pl.String(), "cells": pl.List(pl.String())}
_CONTROL_PATTERN = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


@dataclass(frozen=True)
class RawTable:
    """A file's header cells and its rows; every row is in ``rows`` or ``malformed``."""

    path: Path
    file_type: str  # "csv" | "xlsx"
    encoding: str | None
    separator: str | None
    headers: list[str]
    rows: pl.DataFrame  # LINE (Int64) + one String column per header, named column_name(i)
    # Rows that could not be read: LINE, "reason" and "cells" (List[String], best effort,
    # so that the patient of a broken row can still be marked as incompletely loaded).
    malformed: pl.DataFrame
    size: int = 0  # bytes read
    sha256: str | None = None  # of exactly the bytes read
    sheet: str | None = None  # XLSX: the sheet read
    ignored_sheets: tuple[str, ...] = ()
    # False when no cell can begin or end with whitespace (the CSV scan saw none): then
    # staging skips trimming every cell.
    padded: bool = True

    @property
    def row_count(self) -> int:
        return self.rows.height + self.malformed.height


def reject_control_characters(
    rows: pl.DataFrame, headers: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows without control characters, and the others as malformed rows with a reason.

    A control character in a cell (NUL, a form feed, a terminal escape) means the export
    was damaged or tampered with; the row is rejected rather than cleaned, because a
    removed character can change what a dose text says.
    """
    cells = [c for c in rows.columns if c != LINE]
    if not cells or rows.height == 0:
        return rows, pl.DataFrame(schema=MALFORMED_SCHEMA)
    bad = pl.any_horizontal(
        pl.col(c).str.contains(_CONTROL_PATTERN).fill_null(False) for c in cells
    )
    flagged = rows.filter(bad)
    if flagged.height == 0:
        return rows, pl.DataFrame(schema=MALFORMED_SCHEMA)
    values = [[v or "" for v in row] for row in flagged.select(cells).rows()]
    malformed = pl.DataFrame(
        {
            LINE: flagged[LINE],
            "reason": [control_problem(v, headers) for v in values],
            "cells": flagged.select(pl.concat_list(cells)).to_series(),
        },
        schema=MALFORMED_SCHEMA,
    )
    return rows.filter(~bad), malformed

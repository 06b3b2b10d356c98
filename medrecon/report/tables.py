"""Detail sheets: a frame streamed into a real Excel table (write-only mode).

Write-only worksheets cannot be read back while writing, so everything that Excel
stores before the rows (column widths, frozen header, the table and its column names)
is set up first, and the row count is known from the frame. Cells are plain values
except where a style or a text guard is needed, which keeps 500,000 rows fast.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from medrecon.report.cells import (
    ERROR_CODES,
    MAX_CELL_CHARS,
    safe_value,
)
from medrecon.report.spool import spool_without_name
from medrecon.report.styles import (
    DATETIME_FORMAT,
    HEADER_FILL,
    HEADER_FONT,
    SEVERITY_FILL,
    TABLE_STYLE,
    styled,
)

# Called with the number of rows written since the last call.
RowProgress = Callable[[int], None]
PROGRESS_EVERY = 5_000

_RISKY_TEXT = r"^[=+\-@\t\r\n]|[\r\x00-\x08\x0b\x0c\x0e-\x1f]"


@dataclass(frozen=True)
class Column:
    header: str  # Swedish column name, also the table column name
    source: str  # column of the frame
    width: float
    style: str = "plain"  # plain | datetime | severity


def _columns_needing_guard(frame: pl.DataFrame, columns: list[Column]) -> set[str]:
    """Text columns holding at least one value a spreadsheet might misread."""
    risky: set[str] = set()
    for col in columns:
        series = frame[col.source]
        if series.dtype != pl.String or series.null_count() == series.len():
            continue
        hit = series.str.contains(_RISKY_TEXT) | series.is_in(list(ERROR_CODES))
        hit = hit | (series.str.len_chars() > MAX_CELL_CHARS)
        if bool(hit.any()):
            risky.add(col.source)
    return risky


def write_table_sheet(
    wb: Workbook,
    title: str,
    table_name: str,
    columns: list[Column],
    frame: pl.DataFrame,
    *,
    severity_source: str | None = None,
    progress: RowProgress | None = None,
    before_rows: Callable[[], None] | None = None,
) -> None:
    """Write ``frame`` as sheet ``title`` holding one Excel table named ``table_name``.

    ``severity_source`` names the frame column with the severity code whose colour
    fills the cells of the column styled ``severity``.
    """
    ws = wb.create_sheet(title)
    for idx, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = col.width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

    # An Excel table needs at least one body row; an empty sheet gets one blank row.
    last_row = max(frame.height, 1) + 1
    ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    table = Table(
        displayName=table_name,
        ref=ref,
        tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True),
    )
    # Write-only sheets cannot be read back, so the column names are given explicitly.
    table.tableColumns = [TableColumn(id=i, name=c.header) for i, c in enumerate(columns, 1)]
    table.autoFilter = AutoFilter(ref=ref)
    with warnings.catch_warnings():
        # openpyxl warns that write-only tables need their columns given: they are.
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)

    spool_without_name(ws)  # after the settings above: they are written with the first row
    # Styled as well as the table style, so viewers without table styles show a header.
    ws.append([styled(ws, c.header, font=HEADER_FONT, fill=HEADER_FILL) for c in columns])
    if before_rows is not None:
        before_rows()

    risky = _columns_needing_guard(frame, columns)
    guard = [c.source in risky for c in columns]
    styles = [c.style for c in columns]
    sources = [c.source for c in columns]
    severities = frame[severity_source].to_list() if severity_source else None
    pending = 0
    for row_idx, values in enumerate(frame.select(sources).iter_rows()):
        row: list[object] = list(values)
        for i, value in enumerate(row):
            if value is None:
                continue
            if styles[i] == "severity" and severities is not None:
                row[i] = styled(ws, value, fill=SEVERITY_FILL.get(severities[row_idx]))
            elif styles[i] == "datetime":
                row[i] = styled(ws, value, number_format=DATETIME_FORMAT)
            elif guard[i]:
                row[i] = safe_value(ws, value)
        ws.append(row)
        pending += 1
        if progress is not None and pending >= PROGRESS_EVERY:
            progress(pending)
            pending = 0
    if progress is not None and pending:
        progress(pending)

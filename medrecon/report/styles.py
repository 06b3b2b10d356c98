"""Colours, fonts and cell helpers of the report (one place, so every sheet agrees)."""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from medrecon.report.cells import clean_text, text_cell

# Severity colours: red, amber, pale green; readable with black text when printed.
SEVERITY_FILL: dict[str, PatternFill] = {
    "high": PatternFill(fill_type="solid", start_color="FFF4B6B6", end_color="FFF4B6B6"),
    "medium": PatternFill(fill_type="solid", start_color="FFFFE08A", end_color="FFFFE08A"),
    "low": PatternFill(fill_type="solid", start_color="FFD9EAD3", end_color="FFD9EAD3"),
}
SEVERITY_CHART_COLOUR = {"high": "C0392B", "medium": "E6A100", "low": "6AA84F"}

HEADER_FILL = PatternFill(fill_type="solid", start_color="FF1F4E79", end_color="FF1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFFFF")
TITLE_FONT = Font(bold=True, size=16, color="FF1F4E79")
SUBTITLE_FONT = Font(bold=True, size=12, color="FF1F4E79")
FIGURE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="FF595959")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
TABLE_STYLE = "TableStyleMedium2"


def styled(
    ws: WriteOnlyWorksheet,
    value: Any,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    number_format: str | None = None,
    alignment: Alignment | None = None,
) -> Cell:
    """A write-only cell with a style; text is kept as text whatever it starts with."""
    if isinstance(value, str):
        cell = text_cell(ws, clean_text(value))
    else:
        cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format is not None:
        cell.number_format = number_format
    if alignment is not None:
        cell.alignment = alignment
    return cell

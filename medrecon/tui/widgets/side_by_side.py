"""The two lists side by side: one table row per aligned pair of lines."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from medrecon.tui.patient_model import SECTION_HINT, SECTION_LABEL, Row
from medrecon.tui.widgets.line_cell import finding_cell, line_cell

SCROLLBAR_AND_PADDING = 8  # vertical scrollbar (2) + one cell padding each side of 3 columns


class SideBySide(DataTable[Any]):
    """Rows come from ``patient_model.build_rows``; the row key is ``Row.key``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.rows_by_key: dict[str, Row] = {}
        self.order: list[Row] = []

    def show(
        self,
        rows: list[Row],
        findings: dict[str, dict[str, Any]],
        *,
        approved: bool,
        width: int,
    ) -> None:
        cursor = self.cursor_row
        self.clear(columns=True)
        finding_width = 18 if width < 100 else 26
        side = max(20, (width - finding_width - SCROLLBAR_AND_PADDING) // 2)
        self.add_column("Avvikelse / beslut", key="finding", width=finding_width)
        self.add_column("Cosmic", key="cosmic", width=side)
        self.add_column("Pascal", key="pascal", width=side)
        self.rows_by_key = {row.key: row for row in rows}
        self.order = rows
        for row in rows:
            if row.header:
                title = Text(f"── {SECTION_LABEL[row.section]} ({row.group})", style="bold")
                hint = Text(SECTION_HINT[row.section], style="dim italic")
                self.add_row(title, hint, "", key=row.key, height=1)
                continue
            finding = findings.get(row.finding_id or "")
            self.add_row(
                finding_cell(
                    finding, first=row.shows_finding, approved=approved, section=row.section
                ),
                *(
                    (Text("  〃", style="dim"), Text("  〃", style="dim"))
                    if row.same_lines
                    else (
                        line_cell(row.cosmic, row.differing),
                        line_cell(row.pascal, row.differing),
                    )
                ),
                key=row.key,
                height=2,
            )
        if rows:
            self.move_cursor(row=min(max(cursor, 0), len(rows) - 1), animate=False)

    @property
    def current(self) -> Row | None:
        if not self.order or self.cursor_row < 0 or self.cursor_row >= len(self.order):
            return None
        return self.order[self.cursor_row]

    def first_open_index(self, findings: dict[str, dict[str, Any]], start: int = 0) -> int | None:
        """Index of the first row at or after ``start`` whose finding has no decision."""
        for index in range(start, len(self.order)):
            row = self.order[index]
            finding = findings.get(row.finding_id or "")
            if row.shows_finding and finding and finding.get("status") != "decided":
                return index
        return None

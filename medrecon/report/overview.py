"""The Sammanfattning sheet: key figures, counts per unit and kind, trend, two charts.

Laid out for the first thing a MAS or unit manager reads in the morning: the key
figures at the top left, the charts beside them, the tables below. Written row by row
in write-only mode; the chart references are the row numbers noted while writing.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from medrecon.labels import SEVERITY_LABEL
from medrecon.report.cells import safe_value
from medrecon.report.data import ReportData
from medrecon.report.spool import spool_without_name
from medrecon.report.styles import (
    BOLD,
    DATE_FORMAT,
    FIGURE_FONT,
    HEADER_FILL,
    HEADER_FONT,
    NOTE_FONT,
    PERCENT_FORMAT,
    SEVERITY_CHART_COLOUR,
    SEVERITY_FILL,
    SUBTITLE_FONT,
    TITLE_FONT,
    styled,
)
from medrecon.report.summary import SEVERITY_ORDER, Figures, open_by_kind, open_by_unit

SHEET_TITLE = "Sammanfattning"
TITLE = "Läkemedelsavstämning Cosmic – Pascal: nattlig rapport"
CHART_UNITS = 20  # bars in the unit chart; the table below lists every unit
CHART_ANCHOR_COLUMN = "J"
TREND_RUNS = 30


class _Sheet:
    """A write-only sheet that remembers which row comes next."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self.row = 0

    def append(self, values: list[Any]) -> int:
        self.ws.append([v if hasattr(v, "coordinate") else safe_value(self.ws, v) for v in values])
        self.row += 1
        return self.row

    def blank(self) -> None:
        self.append([])

    def header(self, headers: list[str], severity_columns: dict[int, str] | None = None) -> int:
        cells = []
        for idx, text in enumerate(headers):
            sev = (severity_columns or {}).get(idx)
            if sev is not None:
                cells.append(styled(self.ws, text, font=BOLD, fill=SEVERITY_FILL[sev]))
            else:
                cells.append(styled(self.ws, text, font=HEADER_FONT, fill=HEADER_FILL))
        return self.append(cells)


def _key_figures(sheet: _Sheet, fig: Figures) -> None:
    ws = sheet.ws
    sheet.append([styled(ws, "Nyckeltal", font=SUBTITLE_FONT)])
    sheet.append(["Öppna avvikelser", styled(ws, fig.open_total, font=FIGURE_FONT)])
    for sev in SEVERITY_ORDER:
        sheet.append(
            [
                f"  varav {SEVERITY_LABEL[sev].lower()} allvarlighet",
                styled(ws, fig.open_by_severity[sev], fill=SEVERITY_FILL[sev], font=BOLD),
            ]
        )
    sheet.append(["Nya i natt", fig.new_tonight])
    sheet.append(["Lösta sedan förra körningen", fig.resolved_since_last])
    sheet.append(["Beslutade (finns kvar i listorna)", fig.decided])
    if fig.oldest_open_first_seen is not None:
        sheet.append(
            [
                "Äldsta öppna avvikelse, först sedd",
                styled(ws, fig.oldest_open_first_seen, number_format=DATE_FORMAT),
                f"{fig.oldest_open_days} dagar öppen",
            ]
        )
    else:
        sheet.append(["Äldsta öppna avvikelse, först sedd", "–"])
    share = fig.reconciled_share
    sheet.append(
        [
            "Patienter helt avstämda",
            styled(ws, share, number_format=PERCENT_FORMAT, font=FIGURE_FONT)
            if share is not None
            else "–",
            f"{fig.patients_reconciled} av {fig.patients_total} patienter "
            "(inga öppna avvikelser eller signerade)",
        ]
    )
    sheet.append(["Patienter med äldreindikatorer", fig.elderly_patients])
    sheet.append(["Inläsningsfel (rader som inte kunde läsas)", fig.rejected_rows])
    sheet.append(
        ["Patienter ofullständigt inlästa (listan kan sakna rader)", fig.incomplete_patients]
    )


def _unit_table(sheet: _Sheet, data: ReportData) -> tuple[int, int]:
    """Writes the per-unit table; returns (header row, last row) for the chart."""
    ws = sheet.ws
    units = open_by_unit(data)
    sheet.append([styled(ws, "Öppna avvikelser per enhet", font=SUBTITLE_FONT)])
    severity_headers = [SEVERITY_LABEL[s] for s in SEVERITY_ORDER]
    header_row = sheet.header(
        ["Enhet", *severity_headers, "Totalt", "Patienter", "Helt avstämda", "Andel avstämda"],
        severity_columns={i + 1: sev for i, sev in enumerate(SEVERITY_ORDER)},
    )
    for unit, *counts, total, patients, reconciled, share in units.select(
        "care_unit", *SEVERITY_ORDER, "total", "patients", "reconciled", "share"
    ).iter_rows():
        sheet.append(
            [
                unit,
                *counts,
                styled(ws, total, font=BOLD),
                patients,
                reconciled,
                styled(ws, share, number_format=PERCENT_FORMAT) if share is not None else None,
            ]
        )
    if units.height == 0:
        sheet.append([styled(ws, "Inga patienter i kvällens exporter.", font=NOTE_FONT)])
    return header_row, header_row + units.height


def _kind_table(sheet: _Sheet, data: ReportData) -> None:
    ws = sheet.ws
    kinds = open_by_kind(data)
    sheet.append([styled(ws, "Öppna avvikelser per typ", font=SUBTITLE_FONT)])
    sheet.header(
        ["Typ", *[SEVERITY_LABEL[s] for s in SEVERITY_ORDER], "Totalt"],
        severity_columns={i + 1: sev for i, sev in enumerate(SEVERITY_ORDER)},
    )
    for label, *counts, total in kinds.iter_rows():
        sheet.append([label, *counts, styled(ws, total, font=BOLD)])
    if kinds.height == 0:
        sheet.append([styled(ws, "Inga öppna avvikelser.", font=NOTE_FONT)])


def _trend_table(sheet: _Sheet, data: ReportData) -> tuple[int, int]:
    ws = sheet.ws
    trend = data.trend.tail(TREND_RUNS)
    sheet.append([styled(ws, f"Utveckling, senaste {TREND_RUNS} körningarna", font=SUBTITLE_FONT)])
    header_row = sheet.header(["Körning", "Öppna", "Nya", "Lösta", "Beslutade"])
    rows = trend.with_columns(pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M")).iter_rows()
    for started, n_open, n_new, n_gone, n_decided in rows:
        sheet.append([started, n_open, n_new, n_gone, n_decided])
    return header_row, header_row + trend.height


def _unit_chart_height(units_shown: int) -> float:
    """Chart height in cm: room for each bar and its label."""
    return max(7.5, 1.5 + 0.6 * units_shown)


def _unit_chart(ws: WriteOnlyWorksheet, header_row: int, last_row: int, anchor_row: int) -> None:
    last = min(last_row, header_row + CHART_UNITS)
    if last <= header_row:
        return
    chart = BarChart()
    chart.type = "bar"  # horizontal: long unit names stay readable
    chart.grouping = "stacked"
    chart.overlap = 100
    shown = last - header_row
    more = " (de 20 med flest)" if last_row - header_row > CHART_UNITS else ""
    chart.title = f"Öppna avvikelser per enhet{more}"
    chart.y_axis.title = "Antal"
    data = Reference(
        ws, min_col=2, max_col=1 + len(SEVERITY_ORDER), min_row=header_row, max_row=last
    )
    cats = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    for series, sev in zip(chart.series, SEVERITY_ORDER, strict=True):
        series.graphicalProperties.solidFill = SEVERITY_CHART_COLOUR[sev]
        series.graphicalProperties.line.solidFill = SEVERITY_CHART_COLOUR[sev]
    chart.x_axis.scaling.orientation = "maxMin"  # most open at the top
    chart.width = 20
    chart.height = _unit_chart_height(shown)
    ws.add_chart(chart, f"{CHART_ANCHOR_COLUMN}{anchor_row}")


def _trend_chart(ws: WriteOnlyWorksheet, header_row: int, last_row: int, anchor_row: int) -> None:
    if last_row <= header_row:
        return
    chart = LineChart()
    chart.title = "Öppna, nya och lösta avvikelser per körning"
    chart.y_axis.title = "Antal"
    data = Reference(ws, min_col=2, max_col=4, min_row=header_row, max_row=last_row)
    cats = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    chart.width = 20
    chart.height = 8
    ws.add_chart(chart, f"{CHART_ANCHOR_COLUMN}{anchor_row}")


def write_overview(wb: Workbook, data: ReportData, fig: Figures) -> None:
    ws = wb.create_sheet(SHEET_TITLE)
    widths = {"A": 46, "B": 16, "C": 12, "D": 12, "E": 12, "F": 12, "G": 16, "H": 17}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    spool_without_name(ws)  # after the settings above: they are written with the first row
    sheet = _Sheet(ws)
    facts = data.facts
    sheet.append([styled(ws, TITLE, font=TITLE_FONT)])
    sheet.append(
        [
            "Körning",
            facts.run_at.strftime("%Y-%m-%d %H:%M"),
            f"körning nr {facts.run_id}" if facts.run_id is not None else "",
        ]
    )
    if facts.input_names:
        sheet.append(["Indatafiler", ", ".join(facts.input_names)])
    if data.pseudonymised:
        sheet.append(
            [
                styled(
                    ws,
                    "Pseudonymiserad rapport: inga namn, personnummer ersatta med nycklar, "
                    "inga fritextkommentarer.",
                    font=NOTE_FONT,
                )
            ]
        )
    for note in data.notes:
        sheet.append([styled(ws, note, font=NOTE_FONT)])
    sheet.blank()
    chart_anchor = sheet.row + 1
    _key_figures(sheet, fig)
    sheet.blank()
    unit_header, unit_last = _unit_table(sheet, data)
    sheet.blank()
    _kind_table(sheet, data)
    sheet.blank()
    trend_header, trend_last = _trend_table(sheet, data)

    _unit_chart(ws, unit_header, unit_last, chart_anchor)
    units_shown = min(unit_last - unit_header, CHART_UNITS)
    # A default row is about 0.53 cm high; leave two rows between the charts.
    trend_anchor = chart_anchor + int(_unit_chart_height(units_shown) / 0.53) + 2
    _trend_chart(ws, trend_header, trend_last, trend_anchor)

"""The nightly Excel report (openpyxl, write-only mode for the large sheets).

``build_report_data`` turns a ``Reconciliation`` plus the store's view of it into
frames; ``write_report`` writes them as a Swedish workbook, atomically and owner-only.
"""

from __future__ import annotations

from medrecon.report.data import ReportData, RunFacts, build_report_data
from medrecon.report.pseudonym import KEY_FILE_NAME, Pseudonymiser
from medrecon.report.summary import Figures, figures
from medrecon.report.workbook import SHEETS, write_report, write_reports

__all__ = [
    "KEY_FILE_NAME",
    "SHEETS",
    "Figures",
    "Pseudonymiser",
    "ReportData",
    "RunFacts",
    "build_report_data",
    "figures",
    "write_report",
    "write_reports",
]

"""Reading an export file into a raw table: every cell a string, every row its line number.

Nothing here knows about Cosmic or Pascal. The file is opened and copied once
(``source``: regular files only, refused when it changes while read, hashed), its
content decides its type (an XLSX is a ZIP, whatever its name), and ``csv_reading`` or
``xlsx_reading`` turns it into a ``RawTable``: the header cells, the readable rows and
the malformed ones with their line numbers and reasons. Whatever makes a whole file
unusable raises ``UnusableInputError`` with a Swedish message.
"""

from __future__ import annotations

from pathlib import Path

from adapters.csv_reading import read_csv
from adapters.csv_records import LINE, SEPARATOR_NAME, column_name
from adapters.encoding import ZIP_MAGIC
from adapters.raw_table import MALFORMED_SCHEMA, RawTable
from adapters.source import ExportCopy, unusable
from adapters.xlsx_reading import HeaderTest, read_xlsx

# LINE: 1-based line (CSV) or row (XLSX) number in the file; the header is line 1.
__all__ = [
    "LINE",
    "MALFORMED_SCHEMA",
    "SEPARATOR_NAME",
    "RawTable",
    "column_name",
    "read_table",
]


def read_table(
    path: Path, *, sheet: str | None = None, accepts: HeaderTest | None = None
) -> RawTable:
    """Read a CSV, TXT or XLSX export (the content decides, not only the extension).

    ``sheet`` names the XLSX sheet to read; without it a workbook's sheet is the one
    whose header row ``accepts`` (when it has several sheets).
    """
    path = Path(path)
    with ExportCopy.read(path) as copy:
        if copy.head(len(ZIP_MAGIC)) == ZIP_MAGIC:
            return read_xlsx(copy, sheet=sheet, accepts=accepts)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raise unusable(path, "den har ändelsen .xlsx men är ingen Excel-fil.")
        if copy.size == 0:
            raise unusable(path, "den är tom.")
        return read_csv(copy)

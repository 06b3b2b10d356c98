"""Write-only worksheets that spool their rows to a file without a name.

openpyxl's write-only mode streams each sheet's XML into a named temporary file in
``$TMPDIR`` and deletes it when the workbook is saved; a killed run left those files
behind, full of names and personnummer. Here each sheet spools to an unnamed file
(``O_TMPFILE``, freed by the kernel with the process) that openpyxl reaches through
``/proc/self/fd``. Where that is not available, openpyxl's own temporary files are used.
"""

from __future__ import annotations

import os
import tempfile

from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter


class _UnnamedSpoolWriter(WorksheetWriter):
    def __init__(self, ws: WriteOnlyWorksheet, fd: int) -> None:
        self._fd = fd
        super().__init__(ws, out=f"/proc/self/fd/{fd}")

    def cleanup(self) -> None:
        os.close(self._fd)


def _unnamed_file() -> int | None:
    if not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(tempfile.gettempdir(), os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except (AttributeError, OSError):
        return None


def spool_without_name(ws: WriteOnlyWorksheet) -> None:
    """Make the new write-only sheet ``ws`` spool its rows to an unnamed file."""
    fd = _unnamed_file()
    if fd is None or ws._writer is not None:
        if fd is not None:
            os.close(fd)
        return
    ws._writer = _UnnamedSpoolWriter(ws, fd)
    ws._writer.write_top()

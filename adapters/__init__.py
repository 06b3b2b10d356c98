"""Adapters: read Cosmic and Pascal exports (CSV, TXT, XLSX) into canonical lines.

Public API (see ``docs/architecture.md``):

- ``load_exports(paths, system=None, mapping=None, *, sheet=None) -> LoadResult``: one
  system's files (a folder means every .csv/.txt/.xlsx in it; the rest is listed in
  ``skipped_files``), lines in ``CANONICAL_SCHEMA`` and every unreadable row in
  ``REJECTED_SCHEMA``; ``load_export(path, ...)`` for one file.
- ``detect_system(path) -> "cosmic" | "pascal"`` from the file's headers.
- ``write_export(lines, system, path, ...)``: canonical lines back out as an export.

A file that cannot be used at all raises ``UnusableInputError`` (Swedish, names the file).
"""

from __future__ import annotations

from adapters.folders import expand_paths, find_exports
from adapters.loading import detect_system, load_export, load_exports
from adapters.writer import write_export

__all__ = [
    "detect_system",
    "expand_paths",
    "find_exports",
    "load_export",
    "load_exports",
    "write_export",
]

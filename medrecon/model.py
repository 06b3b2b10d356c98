"""Result containers passed between the adapters, the engine and the faces."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from medrecon.schema import (
    CANONICAL_SCHEMA,
    FINDING_EXTRA_SCHEMA,
    FINDING_SCHEMA,
    MATCH_SCHEMA,
    PATIENT_SCHEMA,
    REJECTED_SCHEMA,
    empty_frame,
)


@dataclass(frozen=True)
class FileReport:
    """What was detected and read in one input file (shown by ``medrecon check``)."""

    path: Path
    system: str  # "cosmic" | "pascal"
    layout: str  # "cosmic-v1" | "pascal-v1"
    file_type: str  # "csv" | "xlsx"
    encoding: str | None  # "utf-8", "utf-8-sig", "cp1252"; None for xlsx
    separator: str | None  # ";", ",", "\t"; None for xlsx
    rows: int  # data rows in the file (header excluded)
    lines_loaded: int
    rows_rejected: int
    patients: int
    header_mapping: dict[str, str] = field(default_factory=dict)  # canonical field -> header
    ignored_columns: tuple[str, ...] = ()
    size: int | None = None  # bytes read
    sha256: str | None = None  # of exactly the bytes that were read and reconciled
    sheet: str | None = None  # xlsx: the sheet read
    ignored_sheets: tuple[str, ...] = ()  # xlsx: the other sheets


@dataclass(frozen=True)
class SkippedFile:
    """A file in a named folder that was not read, and why (Swedish)."""

    path: Path
    reason: str

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class LoadResult:
    """Canonical lines of one system plus every row that could not be read."""

    lines: pl.DataFrame = field(default_factory=lambda: empty_frame(CANONICAL_SCHEMA))
    rejected: pl.DataFrame = field(default_factory=lambda: empty_frame(REJECTED_SCHEMA))
    files: list[FileReport] = field(default_factory=list)
    # files in a named folder that were not read: the other system's, not exports, ...
    skipped_files: list[SkippedFile] = field(default_factory=list)


@dataclass
class Reconciliation:
    """Everything one engine run produced; the TUI, batch and CLI only read this."""

    lines: pl.DataFrame  # resolved lines of both systems (canonical + resolved columns)
    matches: pl.DataFrame  # MATCH_SCHEMA
    findings: pl.DataFrame  # FINDING_SCHEMA + FINDING_EXTRA_SCHEMA
    patients: pl.DataFrame  # PATIENT_SCHEMA
    rejected: pl.DataFrame  # REJECTED_SCHEMA, both systems
    files: list[FileReport] = field(default_factory=list)
    skipped_files: list[SkippedFile] = field(default_factory=list)

    @classmethod
    def empty(cls) -> Reconciliation:
        return cls(
            lines=empty_frame(CANONICAL_SCHEMA),
            matches=empty_frame(MATCH_SCHEMA),
            findings=empty_frame({**FINDING_SCHEMA, **FINDING_EXTRA_SCHEMA}),
            patients=empty_frame(PATIENT_SCHEMA),
            rejected=empty_frame(REJECTED_SCHEMA),
        )

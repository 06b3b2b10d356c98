"""Which files of a drop folder are exports, and why each other file is left out.

A folder named on the command line means every ``.csv``, ``.txt`` and ``.xlsx`` file in
it, sorted by name. Everything else in it (a macro workbook, a ``.part`` file an export
job is still writing, an archive, a lock file, a FIFO, a subfolder) is skipped and
listed with the reason, so that the IT person sees what was not read. Files named
directly are always tried (and refused with a message when they are no export).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from adapters.source import not_a_regular_file
from medrecon.errors import MedreconError, UnusableInputError
from medrecon.model import SkippedFile

EXPORT_SUFFIXES = (".csv", ".txt", ".xlsx")
_SUFFIX_REASON = {
    ".xlsm": "Excel-fil med makron (.xlsm); spara exporten som .xlsx",
    ".xls": "det gamla Excel-formatet (.xls); spara exporten som .xlsx",
    ".part": "en ofullständig fil som troligen fortfarande skrivs (.part)",
    ".partial": "en ofullständig fil som troligen fortfarande skrivs (.partial)",
    ".tmp": "en tillfällig fil (.tmp)",
    ".crdownload": "en ofullständig nedladdning",
    ".gz": "en komprimerad fil (.gz); packa upp den först",
    ".zip": "ett zip-arkiv; packa upp det först",
    ".7z": "ett 7z-arkiv; packa upp det först",
    ".bz2": "en komprimerad fil (.bz2); packa upp den först",
    ".xz": "en komprimerad fil (.xz); packa upp den först",
}


@dataclass(frozen=True)
class ExportFiles:
    files: list[tuple[Path, bool]]  # each file, and whether it was found in a named folder
    skipped: list[SkippedFile]


def _as_list(paths: Sequence[str | Path] | str | Path) -> list[Path]:
    if isinstance(paths, str | Path):
        return [Path(paths)]
    return [Path(p) for p in paths]


def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder is not read as an export; None when it is read."""
    name = path.name
    if name.startswith("~$"):
        return "Excels låsfil (en arbetsbok är öppen i Excel)"
    if name.startswith("."):
        return "en dold fil"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "en länk till en fil som inte finns"
    except OSError as exc:
        return f"den gick inte att läsa ({exc.strerror})"
    what = not_a_regular_file(mode)
    if what is not None:
        return f"det är {what}" + ("; undermappar läses inte" if path.is_dir() else "")
    suffix = path.suffix.lower()
    if suffix in EXPORT_SUFFIXES:
        return None
    return _SUFFIX_REASON.get(
        suffix,
        f"ingen exportfil ({suffix or 'ingen filändelse'}); bara .csv, .txt och .xlsx läses",
    )


def _folder(path: Path) -> tuple[list[Path], list[SkippedFile]]:
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError as exc:
        raise UnusableInputError(
            f"Mappen {path} gick inte att läsa ({exc.strerror}).", title="Mappen kan inte läsas"
        ) from exc
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    for entry in entries:
        entry_path = Path(entry.path)
        reason = skip_reason(entry_path)
        if reason is None:
            files.append(entry_path)
        else:
            skipped.append(SkippedFile(entry_path, reason))
    if not files:
        left = ", ".join(s.name for s in skipped[:5]) + (" …" if len(skipped) > 5 else "")
        raise UnusableInputError(
            f"Mappen {path} innehåller inga exportfiler (.csv, .txt eller .xlsx)"
            + (f"; där finns bara {left}." if skipped else "."),
            title="Inga filer",
        )
    return files, skipped


def find_exports(paths: Sequence[str | Path] | str | Path) -> ExportFiles:
    """The export files named directly or found in named folders, and the files skipped."""
    files: list[tuple[Path, bool]] = []
    skipped: list[SkippedFile] = []
    for path in _as_list(paths):
        if path.is_dir():
            found, left_out = _folder(path)
            files.extend((f, True) for f in found)
            skipped.extend(left_out)
        else:
            files.append((path, False))
    if not files:
        raise MedreconError("Ingen exportfil angavs.", title="Inga filer")
    return ExportFiles(files, skipped)


def expand_paths(paths: Sequence[str | Path] | str | Path) -> list[Path]:
    """Files named directly, plus every export file in a named folder (sorted by name)."""
    return [path for path, _ in find_exports(paths).files]

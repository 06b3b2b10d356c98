"""``medrecon check FILE...``: what medrecon sees in each export file.

For the IT person wiring up a new export: per file the detected system and layout, file
type, encoding, separator (or sheet), how many rows, lines and patients were read, which
headers were mapped or ignored, and every rejected row with its line number and reason;
for a folder also the files in it that are not read, and why. Exit 0 when every file
could be used (even with rejected rows), 2 when a file could not. Everything printed
from a file passes ``safe_text``: an export cannot send escape sequences to the terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters import find_exports, load_export
from adapters.encoding import ENCODING_NAME
from adapters.headers import load_mapping
from adapters.reading import SEPARATOR_NAME
from medrecon.errors import MedreconError
from medrecon.model import FileReport, LoadResult, SkippedFile
from medrecon.schema import SYSTEM_LABEL, SYSTEMS
from medrecon.terminal_text import safe_text

FILE_TYPE_NAME = {"csv": "CSV/text", "xlsx": "Excel (.xlsx)"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="kontrollera exportfiler: system, kodning, rader och avvisade rader",
        description=(
            "Visar för varje exportfil vilket system och vilken layout som kändes igen, "
            "filtyp, teckenkodning, avgränsare, antal rader, patienter och varje rad som "
            "inte kunde läsas."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FIL", help="exportfil eller mapp")
    parser.add_argument(
        "--mapping", type=Path, metavar="FIL", help="mappningsfil (TOML) för andra kolumnnamn"
    )
    parser.add_argument(
        "--system", choices=SYSTEMS, help="tvinga systemet i stället för att känna igen det"
    )
    parser.add_argument(
        "--sheet", metavar="BLAD", help="bladet som ska läsas i Excel-filer (annars exportbladet)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    load_mapping(args.mapping)  # a broken mapping file is one error, not one per file
    found = find_exports(args.files)
    paths = [path for path, _ in found.files]
    exit_code = 0
    unusable = 0
    for number, path in enumerate(paths):
        if number:
            print()
        try:
            result = load_export(path, system=args.system, mapping=args.mapping, sheet=args.sheet)
        except MedreconError as exc:
            print(f"== {safe_text(path.name)} ==")
            print(f"  KAN INTE ANVÄNDAS: {safe_text(exc.message)}")
            exit_code = max(exit_code, exc.exit_code)
            unusable += 1
            continue
        _print_report(result.files[0], result)
    _print_skipped(found.skipped)
    if unusable:
        print(
            f"medrecon: {unusable} av {len(paths)} filer kan inte användas (se ovan).",
            file=sys.stderr,
        )
    return exit_code


def _print_skipped(skipped: list[SkippedFile]) -> None:
    if not skipped:
        return
    print()
    print("== Filer i mapparna som inte läses ==")
    for left_out in skipped:
        print(f"  {safe_text(left_out.name)}: {safe_text(left_out.reason)}")


def _quoted(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f'"{safe_text(n)}"' for n in names)


def _print_report(report: FileReport, result: LoadResult) -> None:
    print(f"== {safe_text(report.path.name)} ==")
    print(f"  System:            {SYSTEM_LABEL[report.system]} (layout {report.layout})")
    print(f"  Filtyp:            {FILE_TYPE_NAME.get(report.file_type, report.file_type)}")
    if report.sheet:
        ignored = f" (andra blad läses inte: {_quoted(report.ignored_sheets)})"
        print(
            f'  Blad:              "{safe_text(report.sheet)}"'
            + (ignored if report.ignored_sheets else "")
        )
    if report.encoding:
        print(f"  Teckenkodning:     {ENCODING_NAME.get(report.encoding, report.encoding)}")
    if report.separator:
        print(f"  Avgränsare:        {SEPARATOR_NAME.get(report.separator, report.separator)}")
    if report.size is not None:
        print(f"  Storlek:           {report.size} byte, SHA-256 {report.sha256}")
    print(f"  Datarader:         {report.rows}")
    print(f"  Inlästa rader:     {report.lines_loaded}")
    print(f"  Patienter:         {report.patients}")
    print(f"  Avvisade rader:    {report.rows_rejected}")
    if report.rows == 0:
        print("  OBS: filen har bara en rubrikrad och inga läkemedelsrader.")
    renamed = {f: h for f, h in report.header_mapping.items() if h != f}
    if renamed:
        print("  Kolumner med andra namn:")
        for field, header in renamed.items():
            print(f'    "{safe_text(header)}" läses som "{field}"')
    if report.ignored_columns:
        print(f"  Kolumner som inte används: {_quoted(report.ignored_columns)}")
    if result.rejected.height:
        print("  Avvisade rader (fil, rad, orsak):")
        for row in result.rejected.iter_rows(named=True):
            print(f"    {safe_text(row['file'])}, rad {row['line']}: {safe_text(row['reason'])}")

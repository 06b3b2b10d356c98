"""``medrecon batch``: the nightly reconciliation with an Excel report (made for cron).

Exit codes: 0 done, 1 internal error, 2 unusable input or options, 4 open findings at
or above ``--fail-on``. On a terminal a progress bar is shown; otherwise (cron,
systemd) plain log lines go to standard error and, with ``--log-file``, to that file.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from medrecon.batch import (
    EXIT_FAILURE,
    BatchOptions,
    LogProgress,
    Progress,
    run_batch,
)
from medrecon.commands.reference_date import add_as_of
from medrecon.errors import MedreconError
from medrecon.logsetup import configure_logging
from medrecon.schema import SEVERITIES

if TYPE_CHECKING:
    from rich.progress import TaskID

log = logging.getLogger("medrecon.batch")


class RichProgress:
    """A progress bar on standard error (only when it is a terminal)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: TaskID | None = None
        self._bar.start()

    def _complete_current(self) -> None:
        if self._task is not None:
            total = self._bar.tasks[-1].total or 1
            self._bar.update(self._task, completed=total, total=total)

    def stage(self, description: str, total: int | None = None) -> None:
        self._complete_current()
        self._task = self._bar.add_task(description, total=total)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, rows)

    def finish(self) -> None:
        self._complete_current()
        self._bar.stop()

    def stop(self) -> None:
        self._bar.stop()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "batch",
        help="nattkörning: stäm av hela exporter och skriv en Excel-rapport",
        description=(
            "Stämmer av hela exporter från Cosmic och Pascal, sparar körningen i "
            "beslutsdatabasen och skriver en Excel-rapport. Slutkoder: 0 klart, 1 internt "
            "fel, 2 oanvändbar indata, 4 öppna avvikelser på eller över --fail-on."
        ),
    )
    parser.add_argument(
        "--cosmic",
        type=Path,
        action="append",
        required=True,
        metavar="SÖKVÄG",
        help="Cosmic-export: en fil eller en mapp med exportfiler (kan upprepas)",
    )
    parser.add_argument(
        "--pascal",
        type=Path,
        action="append",
        required=True,
        metavar="SÖKVÄG",
        help="Pascal-export: en fil eller en mapp med exportfiler (kan upprepas)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FIL.xlsx", help="rapportfilen som skrivs"
    )
    from medrecon.store import add_db_argument

    add_db_argument(parser)
    parser.add_argument(
        "--mapping", type=Path, default=None, metavar="FIL", help="mappningsfil för rubriker"
    )
    parser.add_argument(
        "--pseudonymise",
        "--pseudonymisera",
        action="store_true",
        help="inga namn; personnummer ersätts med en stabil nyckel (för vidare spridning)",
    )
    parser.add_argument(
        "--pseudonymised-out",
        type=Path,
        default=None,
        metavar="FIL.xlsx",
        help="skriv dessutom en pseudonymiserad rapport av samma körning hit",
    )
    parser.add_argument(
        "--pseudonym-key",
        type=Path,
        default=None,
        metavar="FIL",
        help="nyckelfil för pseudonymisering (annars pseudonym.key bredvid databasen)",
    )
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default=None,
        help="slutkod 4 när det finns öppna avvikelser med denna allvarlighet eller högre",
    )
    parser.add_argument(
        "--sheet",
        metavar="BLAD",
        help="bladet som ska läsas i Excel-exporter (annars exportbladet)",
    )
    parser.add_argument(
        "--log-file", type=Path, default=None, metavar="FIL", help="skriv loggen även hit"
    )
    add_as_of(parser)
    parser.set_defaults(func=run)


def _setup_logging(log_file: Path | None, terminal: bool) -> None:
    configure_logging(log_file)
    if terminal:
        # The bar shows the progress; only warnings interrupt it. The file gets it all.
        for handler in logging.getLogger("medrecon").handlers:
            if type(handler) is logging.StreamHandler:
                handler.setLevel(logging.WARNING)


def run(args: argparse.Namespace) -> int:
    terminal = sys.stderr.isatty()
    _setup_logging(args.log_file, terminal)
    options = BatchOptions(
        cosmic=list(args.cosmic),
        pascal=list(args.pascal),
        out=args.out,
        db=args.db,
        mapping=args.mapping,
        pseudonymise=args.pseudonymise,
        key_file=args.pseudonym_key,
        fail_on=args.fail_on,
        pseudonymised_out=getattr(args, "pseudonymised_out", None),
        as_of=args.as_of,
        sheet=getattr(args, "sheet", None),
    )
    bar = RichProgress() if terminal else None
    progress: Progress = bar if bar is not None else LogProgress()
    try:
        result = run_batch(options, progress)
    except MedreconError as exc:
        if bar is not None:
            bar.stop()
        log.error("Nattkörningen avbröts: %s", exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        if bar is not None:
            bar.stop()
        raise
    except Exception as exc:
        if bar is not None:
            bar.stop()
        if os.environ.get("MEDRECON_DEBUG"):
            raise
        # Only the type and the code locations: an exception's text may hold patient data.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error(
            "Nattkörningen avbröts av ett internt fel (%s). Gårdagens rapport är orörd.\n%s",
            type(exc).__name__,
            frames,
        )
        return EXIT_FAILURE
    if terminal:
        fig = result.figures
        print(
            f"Rapporten {result.report} är klar: {fig.open_total} öppna avvikelser, "
            f"{fig.new_tonight} nya i natt, {fig.resolved_since_last} lösta.",
            file=sys.stderr,
        )
    return result.exit_code

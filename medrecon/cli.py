"""The ``medrecon`` command: a thin dispatcher over subcommand modules.

Each module in ``medrecon.commands`` registers one subcommand (``register``) and does
its work through the engine, store and report modules; none of them matches or judges.
User mistakes surface as ``MedreconError`` and are printed in Swedish, never as a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from medrecon import __version__
from medrecon.cli_language import use_swedish
from medrecon.errors import MedreconError

# Order is the order shown in ``medrecon --help``.
COMMAND_MODULES = (
    "check",
    "explain",
    "reconcile",
    "tui",
    "batch",
    "audit",
    "decide",
)


def build_parser() -> argparse.ArgumentParser:
    use_swedish()
    parser = argparse.ArgumentParser(
        prog="medrecon",
        description="Stämmer av läkemedelslistor mellan Cambio Cosmic och Pascal.",
    )
    parser.add_argument("--version", action="version", version=f"medrecon {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="KOMMANDO")
    for name in COMMAND_MODULES:
        importlib.import_module(f"medrecon.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except MedreconError as exc:
        print(f"medrecon: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("medrecon: avbrutet.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        # An internal error: the message may hold patient data, so only the type is shown
        # unless a developer asks for the traceback on their own terminal.
        if os.environ.get("MEDRECON_DEBUG"):
            raise
        print(
            f"medrecon: internt fel ({type(exc).__name__}). Kör med MEDRECON_DEBUG=1 för detaljer.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

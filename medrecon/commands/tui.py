"""``medrecon tui`` and ``medrecon demo``: the terminal UI for nurses and pharmacists."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import medrecon
from medrecon.commands.reference_date import add_as_of
from medrecon.errors import MedreconError
from medrecon.model import Reconciliation

if TYPE_CHECKING:
    from medrecon.store import StoreLocation

DEMO_DB_NAME = "demo.db"


def register(subparsers: argparse._SubParsersAction) -> None:
    from medrecon.store import add_db_argument

    tui = subparsers.add_parser(
        "tui",
        help="öppna arbetslistan i terminalen",
        description=(
            "Stämmer av exporterna och öppnar arbetslistan: varje patient med skillnader "
            "mellan Cosmic och Pascal, beslut per skillnad och signering."
        ),
    )
    tui.add_argument("cosmic", type=Path, metavar="COSMIC", help="Cosmic-export (fil eller mapp)")
    tui.add_argument("pascal", type=Path, metavar="PASCAL", help="Pascal-export (fil eller mapp)")
    add_db_argument(tui)
    tui.add_argument("--mapping", type=Path, default=None, metavar="FIL",
                     help="TOML-fil som mappar exportens kolumnnamn")  # fmt: skip
    tui.add_argument("--user", default=None, metavar="NAMN", help="annars inloggad användare")
    tui.add_argument("--sheet", default=None, metavar="BLAD",
                     help="bladet som ska läsas i Excel-filer (annars exportbladet)")  # fmt: skip
    tui.add_argument("--handover-dir", type=Path, default=None, metavar="MAPP",
                     help="mapp för överrapporteringar (annars användarens datamapp)")  # fmt: skip
    add_as_of(tui)
    tui.set_defaults(func=run)

    demo = subparsers.add_parser(
        "demo",
        help="prova arbetslistan på de medföljande exempelexporterna",
        description=(
            "Öppnar arbetslistan på de fiktiva exempelfilerna i sample_exports/ med ett "
            "eget demoregister, skilt från det riktiga beslutsregistret."
        ),
    )
    demo.add_argument("--user", default=None, metavar="NAMN", help="annars inloggad användare")
    demo.add_argument("--reset", action="store_true", help="börja om med ett tomt demoregister")
    demo.set_defaults(func=run_demo)


def sample_exports_dir() -> Path:
    """The bundled fictional exports: a wheel's copy, else the checkout's folder."""
    package = Path(medrecon.__file__).resolve().parent
    for candidate in (package / "_sample_exports", package.parent / "sample_exports"):
        if (candidate / "cosmic.csv").is_file() and (candidate / "pascal.csv").is_file():
            return candidate
    raise MedreconError("Exempelfilerna (sample_exports/cosmic.csv och pascal.csv) saknas.")


def _check_paths(paths: list[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise MedreconError(f"Hittar inte {', '.join(missing)}.")


def _loader(
    cosmic: Path,
    pascal: Path,
    mapping: Path | None,
    as_of: dt.date | None = None,
    sheet: str | None = None,
) -> Callable[[Callable[[str], None]], Reconciliation]:
    def load(progress: Callable[[str], None]) -> Reconciliation:
        from medrecon.engine import reconcile_files

        return reconcile_files([cosmic], [pascal], mapping=mapping, as_of=as_of, sheet=sheet)

    return load


def _launch(
    cosmic: Path,
    pascal: Path,
    db: StoreLocation | Path | str | None,
    user: str | None,
    mapping: Path | None,
    handover_dir: Path | None,
    as_of: dt.date | None = None,
    sheet: str | None = None,
) -> int:
    from medrecon.handover import default_handover_dir
    from medrecon.store import Store
    from medrecon.store.records import current_user
    from medrecon.tui.app import MedreconApp

    inputs = [cosmic, pascal]
    _check_paths(inputs + ([mapping] if mapping else []))
    with Store.open(db) as store:
        app = MedreconApp(
            _loader(cosmic, pascal, mapping, as_of, sheet),
            store,
            user=current_user(user),
            inputs=inputs,
            handover_dir=handover_dir or default_handover_dir(),
        )
        app.run()
    # Non-zero when Textual ended the app on an error it could not show on screen.
    return app.return_code or 0


def run(args: argparse.Namespace) -> int:
    return _launch(
        args.cosmic,
        args.pascal,
        args.db,
        args.user,
        args.mapping,
        args.handover_dir,
        args.as_of,
        getattr(args, "sheet", None),
    )


def demo_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("medrecon", appauthor=False)) / DEMO_DB_NAME


def run_demo(args: argparse.Namespace) -> int:
    folder = sample_exports_dir()
    db = demo_db_path()
    if args.reset:
        from medrecon.store.anchor import forget_anchor
        from medrecon.store.location import from_path

        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        forget_anchor(from_path(db))  # a new demo store, not a cut-off audit log
    return _launch(folder / "cosmic.csv", folder / "pascal.csv", db, args.user, None, None)

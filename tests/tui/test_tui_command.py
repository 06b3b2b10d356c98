"""The ``tui`` and ``demo`` subcommands: registration and user mistakes (no TUI started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medrecon.cli import build_parser, main
from medrecon.commands.tui import sample_exports_dir


def test_both_subcommands_are_registered() -> None:
    parser = build_parser()
    args = parser.parse_args(["tui", "c.csv", "p.csv", "--db", "x.db", "--user", "anna"])
    assert (args.cosmic, args.pascal, args.db, args.user) == (
        Path("c.csv"),
        Path("p.csv"),
        "x.db",  # a path or a URL: read by the store, never turned into a Path
        "anna",
    )
    demo = parser.parse_args(["demo", "--reset"])
    assert demo.reset and demo.func.__name__ == "run_demo"


def test_missing_export_is_a_swedish_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "tui",
            str(tmp_path / "saknas.csv"),
            str(tmp_path / "p.csv"),
            "--db",
            str(tmp_path / "d.db"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "Hittar inte" in err and "saknas.csv" in err
    assert "Traceback" not in err


def test_demo_finds_the_bundled_sample_exports() -> None:
    folder = sample_exports_dir()
    assert (folder / "cosmic.csv").is_file() and (folder / "pascal.csv").is_file()

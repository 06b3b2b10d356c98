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


def _run_in_terminal(argv: list[str], wait_for: bytes, keys: bytes) -> tuple[int | None, bytes]:
    """Run ``argv`` in a pseudo-terminal, wait for ``wait_for`` on screen, type ``keys``."""
    import contextlib
    import os
    import pty
    import select
    import sys
    import time

    root = Path(__file__).resolve().parents[2]
    pid, fd = pty.fork()
    if pid == 0:  # the child: medrecon in a real terminal
        os.chdir(root)
        os.environ.update(TERM="xterm-256color", PYTHONPATH=str(root))
        os.execv(sys.executable, [sys.executable, "-m", "medrecon.cli", *argv])
    screen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and wait_for not in screen:
        if select.select([fd], [], [], 0.5)[0]:
            try:
                screen += os.read(fd, 65536)
            except OSError:
                break
    time.sleep(0.3)
    os.write(fd, keys)
    status = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
            break
        if select.select([fd], [], [], 0.2)[0]:
            with contextlib.suppress(OSError):
                screen += os.read(fd, 65536)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    return status, screen


def test_unusable_input_exits_2_after_the_error_screen(tmp_path: Path) -> None:
    bad = tmp_path / "cosmic.csv"
    bad.write_text("Personnummer;Patient\n19400512-1233;Andersson, Karin\n", encoding="utf-8")
    pascal = sample_exports_dir() / "pascal.csv"
    status, screen = _run_in_terminal(
        ["tui", str(bad), str(pascal), "--db", str(tmp_path / "d.db")],
        wait_for="Rätta filerna".encode(),
        keys=b"q",
    )
    assert "Rätta filerna".encode() in screen  # the Swedish error screen was shown
    assert b"saknar" in screen
    assert status == 2

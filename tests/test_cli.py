"""The ``medrecon`` dispatcher as a user meets it: Swedish help and usage errors."""

from __future__ import annotations

import pytest

from medrecon.cli import COMMAND_MODULES, main


def test_help_is_swedish_and_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("användning: medrecon")
    assert "flaggor:" in out and "visa den här hjälpen" in out
    for name in (*COMMAND_MODULES, "demo"):
        assert name in out


def test_usage_errors_are_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["reconcile"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "fel: dessa argument behövs: COSMIC, PASCAL" in err
    with pytest.raises(SystemExit):
        main(["nosuchcommand"])
    assert "ogiltigt val" in capsys.readouterr().err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "användning" in capsys.readouterr().out

"""Escape sequences from input text never reach the terminal or the handover text.

The loader rejects rows with control characters, but file names, header names and
frames handed to the Python API do not pass it: the reconcile table, ``check`` and the
handover text neutralise what they print.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from adapters import load_exports
from medrecon.cli import main
from medrecon.engine import reconcile
from medrecon.handover import handover_text
from medrecon.render_table import render
from medrecon.terminal_text import safe_text
from medrecon.tui.patient_model import SECTION_FINDINGS, Group

ESCAPE = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
COSMIC_HEADER = "Personnummer;Patient;OrdinationsID;Läkemedel;Dosering"
PASCAL_HEADER = "Personnummer;Namn;ReceptID;Förskrivet läkemedel;Användning"


def test_safe_text_shows_control_characters_and_keeps_line_breaks() -> None:
    assert safe_text("a\x1b[31mb\tc\nd\x00\x7f\x9b") == "a␛[31mb\tc\nd␀\u2421\ufffd"
    assert safe_text(None) == ""


def test_reconcile_table_and_check_neutralise_file_and_header_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    cosmic = folder / f"cosmic{ESCAPE}.csv"
    cosmic.write_text(
        f"{COSMIC_HEADER};Intern{ESCAPE}\n"
        "19400512-1233;Andersson, Karin;C-1;Alvedon 500 mg;1x3;x\n"
        "19400512-1234;Fel, Nummer;C-2;Alvedon 500 mg;1x3;x\n",
        encoding="utf-8",
    )
    pascal = tmp_path / "pascal.csv"
    pascal.write_text(
        f"{PASCAL_HEADER}\n194005121233;Karin Andersson;P-1;Waran 2,5 mg;1x1\n", encoding="utf-8"
    )
    assert main(["reconcile", str(folder), str(pascal)]) == 0
    table = capsys.readouterr().out
    assert "\x1b" not in table and "\x07" not in table
    assert "␛" in table  # the file name of the rejected row, made visible

    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "Kolumner som inte används" in out and "Intern␛" in out


def test_reconcile_table_neutralises_text_given_through_the_api(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = {
        "patient_id": "194005121233",
        "patient_name": f"Andersson{ESCAPE}, Karin",
        "line_id": "C-1",
        "product_text": f"Alvedon{ESCAPE} 500 mg [bold]x[/]",
        "dosing_text": "1 tablett 3 gånger dagligen",
    }
    cosmic = pl.DataFrame([base])
    pascal = pl.DataFrame([{**base, "line_id": "P-1", "product_text": "Waran 2,5 mg"}])
    render(reconcile(cosmic, pascal))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "[bold]x[/]" in out  # shown as written, not taken for markup


def test_the_handover_text_carries_no_escape_sequence() -> None:
    line = {
        "line_id": "C-1",
        "product_text": f"Alvedon{ESCAPE}",
        "substance_text": f"Paracetamol{ESCAPE}",
        "dosing_text": "1x3",
        "status": "active",
    }
    group = Group(
        cosmic=[line],
        pairs=[(line, None)],
        findings=[{"id": "f1", "kind": "missing_in_pascal", "severity": "high",
                   "substance": "paracetamol", "explanation": f"Saknas{ESCAPE}"}],
        section=SECTION_FINDINGS,
    )  # fmt: skip
    text = handover_text(
        patient={"patient_id": "194005121233", "patient_name": f"Andersson{ESCAPE}, Karin"},
        groups=[group],
        history={},
        sign_off=None,
        user="anna",
        now=datetime(2025, 11, 23, 8, 0),
    )
    assert "\x1b" not in text and "\x07" not in text
    assert "Andersson␛" in text


def test_a_row_with_an_escape_sequence_is_rejected_at_load(tmp_path: Path) -> None:
    path = tmp_path / "cosmic.csv"
    path.write_text(
        f"{COSMIC_HEADER}\n19400512-1233;Andersson, Karin;C-1;Alvedon{ESCAPE};1x3\n",
        encoding="utf-8",
    )
    result = load_exports([path])
    assert result.lines.height == 0
    assert "otillåtet styrtecken (ESC, 0x1B)" in result.rejected["reason"][0]

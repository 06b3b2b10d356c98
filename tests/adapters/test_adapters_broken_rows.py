"""One broken row never fails a file: it is rejected with its line and reason, the rest loads.

Each case writes a small export with one damaged row among good ones and reads the
outcome as the IT person does (``medrecon check``) or as the engine does (rows loaded,
rows rejected, the patient marked incompletely loaded).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from adapter_fixtures import (
    COSMIC_HEADER,
    KARIN,
    OLLE,
    PASCAL_HEADER,
    cosmic_row,
    csv_text,
    pascal_row,
    pnr,
    write_csv,
)

from adapters import load_export
from adapters.csv_records import UNCLOSED_QUOTE
from medrecon.cli import main
from medrecon.engine import reconcile_files
from medrecon.model import LoadResult

STINA = pnr("19450303", "321")


def rows_text(*rows: dict[str, str]) -> list[str]:
    """Each row as one CSV line (header not included)."""
    return csv_text(COSMIC_HEADER, list(rows)).splitlines()[1:]


def five_rows() -> list[str]:
    return rows_text(
        cosmic_row(OrdinationsID="C-1"),
        cosmic_row(OrdinationsID="C-2", Personnummer=OLLE),
        cosmic_row(OrdinationsID="C-3", Personnummer=STINA, Patient="Ek, Stina"),
        cosmic_row(OrdinationsID="C-4", Personnummer=OLLE),
        cosmic_row(OrdinationsID="C-5"),
    )


def write_lines(path: Path, lines: list[str], *, newline: str = "\n") -> Path:
    text = newline.join([";".join(COSMIC_HEADER), *lines]) + newline
    path.write_bytes(text.encode("utf-8"))
    return path


def accounted(result: LoadResult) -> None:
    report = result.files[0]
    assert report.rows == report.lines_loaded + report.rows_rejected
    assert result.lines.height + result.rejected.height == report.rows


def rejected(result: LoadResult) -> list[tuple[int, str | None, str]]:
    return result.rejected.select("line", "patient_id", "reason").rows()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_an_unterminated_quote_rejects_its_row_and_the_rows_after_it_load(
    tmp_path: Path, newline: str
) -> None:
    lines = five_rows()
    lines[2] = lines[2].replace(";Ek, Stina;", ';"Ek, Stina;')  # file line 4
    path = write_lines(tmp_path / "cosmic.csv", lines, newline=newline)
    result = load_export(path)
    assert result.lines.select("line", "line_id").rows() == [
        (2, "C-1"),
        (3, "C-2"),
        (5, "C-4"),
        (6, "C-5"),
    ]
    assert rejected(result) == [(4, STINA, UNCLOSED_QUOTE)]
    accounted(result)


def test_rows_a_stray_quote_would_swallow_are_each_named_by_their_own_line(
    tmp_path: Path,
) -> None:
    # A quote opens in line 3 and another stands in line 5: read as one record, lines 3-5
    # would make one garbled row. Each line is read on its own instead: line 4 is a good
    # row, lines 3 and 5 are rejected, each with its own line number and patient.
    lines = five_rows()
    lines[1] = lines[1].replace(";C-2;", ';"C-2;')
    lines[3] = lines[3].replace(";C-4;", ';"C-4;')
    result = load_export(write_lines(tmp_path / "cosmic.csv", lines))
    assert result.lines["line"].to_list() == [2, 4, 6]
    assert rejected(result) == [(3, OLLE, UNCLOSED_QUOTE), (5, OLLE, UNCLOSED_QUOTE)]
    accounted(result)


def test_a_stray_quote_does_not_swallow_rows_even_when_the_widths_add_up(
    tmp_path: Path,
) -> None:
    # The quotes stand in the same column of lines 3 and 5, so lines 3-5 joined have the
    # header's 20 fields; but one of them would hold a whole row: not a multi-line text.
    lines = five_rows()
    lines[1] = lines[1].replace(";C-2;", ';"C-2;')
    lines[3] = lines[3].replace(";C-4;", ';C-4";')
    result = load_export(write_lines(tmp_path / "cosmic.csv", lines))
    assert rejected(result)[0] == (3, OLLE, UNCLOSED_QUOTE)
    assert result.lines.select("line", "line_id").rows()[:2] == [(2, "C-1"), (4, "C-3")]
    accounted(result)


def test_a_quote_that_never_closes_at_the_end_of_the_file(tmp_path: Path) -> None:
    lines = five_rows()
    lines[4] = lines[4].replace(";C-5;", ';"C-5;')
    result = load_export(write_lines(tmp_path / "cosmic.csv", lines))
    assert result.lines["line"].to_list() == [2, 3, 4, 5]
    assert rejected(result) == [(6, KARIN, UNCLOSED_QUOTE)]


def test_a_real_multi_line_field_is_still_one_row(tmp_path: Path) -> None:
    lines = rows_text(
        cosmic_row(OrdinationsID="C-1", Dosering='1 tablett "vid smärta"\nhögst 4 per dygn'),
        cosmic_row(OrdinationsID="C-2"),
    )
    result = load_export(write_lines(tmp_path / "cosmic.csv", lines))
    assert result.rejected.height == 0
    assert result.lines.select("line", "dosing_text").rows()[0] == (
        2,
        '1 tablett "vid smärta"\nhögst 4 per dygn',
    )
    assert result.lines["line"].to_list() == [2, 4]


@pytest.mark.parametrize(
    ("character", "named"),
    [
        ("\x00", "NUL, 0x00"),
        ("\x0c", "sidmatning, 0x0C"),
        ("\x1b[31m", "ESC, 0x1B"),
        ("\x07", "0x07"),
    ],
)
def test_a_control_character_in_a_cell_rejects_that_row_only(
    tmp_path: Path, character: str, named: str
) -> None:
    lines = five_rows()
    lines[1] = lines[1].replace("2 tabletter", f"2{character} tabletter")
    result = load_export(write_lines(tmp_path / "cosmic.csv", lines))
    assert result.lines["line_id"].to_list() == ["C-1", "C-3", "C-4", "C-5"]
    assert rejected(result) == [
        (3, OLLE, f'otillåtet styrtecken ({named}) i kolumnen "Dosering"; raden läses inte')
    ]
    accounted(result)


def test_a_c1_control_character_is_rejected_too(tmp_path: Path) -> None:
    lines = five_rows()
    lines[0] = lines[0].replace("Alvedon", "Alve\u009bdon")  # CSI, a terminal escape
    result = load_export(write_lines(tmp_path / "cosmic.csv", lines))
    assert rejected(result) == [
        (2, KARIN, 'otillåtet styrtecken (0x9B) i kolumnen "Läkemedel"; raden läses inte')
    ]


def test_a_file_that_is_mostly_binary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cosmic.csv"
    path.write_bytes(";".join(COSMIC_HEADER).encode() + b"\n" + bytes(range(32)) * 400)
    code = main(["check", str(path)])
    assert code == 2


def test_one_stray_quote_in_a_large_export_costs_one_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patients = [
        pnr(f"19{30 + i % 60:02d}0{1 + i % 9}1{i % 9}", f"{i % 1000:03d}") for i in range(200)
    ]
    rows = [
        pascal_row(Personnummer=patients[i // 10], ReceptID=f"P-{i}", Namn=f"Namn {i // 10}")
        for i in range(2000)
    ]
    text = csv_text(PASCAL_HEADER, rows)
    broken = text.replace(";P-1234;", ';"P-1234;')
    path = tmp_path / "pascal.csv"
    path.write_text(broken, encoding="utf-8")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Datarader:         2000" in out
    assert "Inlästa rader:     1999" in out
    assert "Avvisade rader:    1" in out
    assert f"pascal.csv, rad 1236: {UNCLOSED_QUOTE}" in out


def test_the_patient_of_a_broken_row_is_marked_incompletely_loaded(tmp_path: Path) -> None:
    lines = five_rows()
    lines[1] = lines[1].replace("2 tabletter", "2\x00 tabletter")  # Olle's first line
    cosmic = write_lines(tmp_path / "cosmic.csv", lines)
    pascal = write_csv(
        tmp_path / "pascal.csv",
        PASCAL_HEADER,
        [
            pascal_row(ReceptID="P-1"),
            pascal_row(ReceptID="P-2", Personnummer=OLLE, Namn="Olle Olsson"),
            pascal_row(ReceptID="P-3", Personnummer=STINA, Namn="Stina Ek"),
        ],
    )
    recon = reconcile_files(cosmic, pascal)
    incomplete = dict(recon.patients.select("patient_id", "incomplete").rows())
    assert incomplete == {KARIN: False, OLLE: True, STINA: False}


def test_a_row_with_trailing_empty_fields_is_rejected_as_too_long(tmp_path: Path) -> None:
    # polars cannot see an empty field beyond the header; the separators do count.
    lines = five_rows()
    lines[1] += ";"
    lines[3] += ";;"
    result = load_export(write_lines(tmp_path / "cosmic.csv", lines))
    assert result.lines["line"].to_list() == [2, 4, 6]
    assert rejected(result) == [
        (3, OLLE, "raden har 21 fält men rubrikraden har 20"),
        (5, OLLE, "raden har 22 fält men rubrikraden har 20"),
    ]


def test_rows_are_counted_exactly_when_the_last_column_is_often_empty(tmp_path: Path) -> None:
    rows = [cosmic_row(OrdinationsID=f"C-{i}", **{"Senast ändrad": ""}) for i in range(40)]
    lines = rows_text(*rows)
    lines[10] = lines[10][: lines[10].rindex(";")]  # one field short
    lines[20] += ";"  # one field too many, empty
    result = load_export(write_lines(tmp_path / "cosmic.csv", lines))
    assert [(line, reason) for line, _, reason in rejected(result)] == [
        (12, "raden har 19 fält men rubrikraden har 20"),
        (22, "raden har 21 fält men rubrikraden har 20"),
    ]
    assert result.lines.height == 38

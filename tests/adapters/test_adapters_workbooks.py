"""Excel workbooks within limits, the right sheet of several, UTF-16 text, odd separators."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from adapter_fixtures import (
    COSMIC_HEADER,
    KARIN,
    PASCAL_HEADER,
    cosmic_row,
    csv_text,
    pascal_row,
    write_xlsx,
)
from openpyxl import Workbook

from adapters import load_export, xlsx_limits
from medrecon.cli import main
from medrecon.errors import UnusableInputError

ROOT = Path(__file__).resolve().parents[2]


def medrecon(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "medrecon.cli", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def rewrite_sheet(path: Path, change: dict[bytes, bytes]) -> None:
    """Replace patterns in the first sheet's XML (to make it lie about itself)."""
    with zipfile.ZipFile(path) as book:
        parts = {info.filename: book.read(info) for info in book.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    for pattern, new in change.items():
        parts[sheet], found = re.subn(pattern, new, parts[sheet])
        assert found, pattern
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)


def far_cell_workbook(path: Path) -> Path:
    """A tiny workbook with a header and one cell at the very last column and row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(PASCAL_HEADER)
    sheet["XFD1048576"] = "x"
    book.save(path)
    return path


def test_one_cell_at_the_last_column_and_row_is_refused_not_an_abort(tmp_path: Path) -> None:
    bomb = far_cell_workbook(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 30_000
    done = medrecon("check", bomb)  # calamine would allocate 512 GiB and abort (exit 134)
    assert done.returncode == 2, done.stderr
    assert "bomb.xlsx kan inte användas" in done.stdout
    assert "XFD1048576" in done.stdout
    assert "exportera som CSV" in done.stdout


def test_a_sheet_that_hides_its_size_is_measured_by_its_content(tmp_path: Path) -> None:
    bomb = far_cell_workbook(tmp_path / "liar.xlsx")
    rewrite_sheet(bomb, {rb'<dimension ref="[^"]*"': b'<dimension ref="A1:W1"'})
    with pytest.raises(UnusableInputError, match=r"har innehåll ända till cell XFD1048576"):
        load_export(bomb)


def test_a_row_bomb_is_refused_by_its_cell_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small limits stand in for the real ones (15 million cells), which a test cannot
    # reach in reasonable time: the count is what is tested.
    monkeypatch.setattr(xlsx_limits, "MAX_CELLS", 2_000)
    rows = [PASCAL_HEADER] + [list(pascal_row(ReceptID=f"P-{i}").values()) for i in range(100)]
    path = write_xlsx(tmp_path / "many.xlsx", rows)
    rewrite_sheet(path, {rb'<dimension ref="[^"]*"\s*/>': b""})
    with pytest.raises(UnusableInputError, match=r"över 2 000 celler|ända till cell W"):
        load_export(path)


def test_a_declared_shared_string_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "strings.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(PASCAL_HEADER)
    book.save(path)
    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    )
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    with pytest.raises(UnusableInputError, match="delade texter anger 4 000 000 000 texter"):
        load_export(path)


def test_the_export_sheet_of_a_workbook_is_found_and_the_others_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    info = book.active
    assert info is not None
    info.title = "Info"
    info.append(["Export från Pascal", "Frågor: IT-avdelningen"])
    export = book.create_sheet("Export")
    export.append(PASCAL_HEADER)
    export.append(list(pascal_row().values()))
    book.create_sheet("Diagram")
    path = tmp_path / "pascal.xlsx"
    book.save(path)

    result = load_export(path)
    assert result.lines["patient_id"].to_list() == [KARIN]
    assert (result.files[0].sheet, result.files[0].ignored_sheets) == (
        "Export",
        ("Info", "Diagram"),
    )
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert 'Blad:              "Export" (andra blad läses inte: "Info", "Diagram")' in out

    assert main(["check", str(path), "--sheet", "Info", "--system", "pascal"]) == 2
    assert 'saknar de obligatoriska kolumnerna "Personnummer"' in capsys.readouterr().out
    assert main(["check", str(path), "--sheet", "Saknas"]) == 2
    out = capsys.readouterr().out
    assert (
        'arbetsboken har inget blad som heter "Saknas" (blad: "Info", "Export", "Diagram")' in out
    )


def test_two_export_sheets_need_sheet_to_choose(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Oktober"
    first.append(COSMIC_HEADER)
    first.append(list(cosmic_row().values()))
    second = book.create_sheet("November")
    second.append(COSMIC_HEADER)
    second.append(list(cosmic_row(OrdinationsID="C-9").values()))
    path = tmp_path / "cosmic.xlsx"
    book.save(path)
    with pytest.raises(
        UnusableInputError, match=r'flera blad ser ut som exporter \("Oktober", "November"\)'
    ):
        load_export(path)
    assert load_export(path, sheet="November").lines["line_id"].to_list() == ["C-9"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_loads_like_the_other_encodings(tmp_path: Path, encoding: str) -> None:
    # Excel's "Unicode text": UTF-16 (with a byte order mark), TAB between columns.
    rows = [cosmic_row(Patient="Öberg, Åsa"), cosmic_row(OrdinationsID="C-2")]
    data = csv_text(COSMIC_HEADER, rows, sep="\t").replace("\n", "\r\n").encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "cosmic.txt"
    path.write_bytes(data)
    result = load_export(path)
    assert (result.files[0].encoding, result.files[0].separator) == ("utf-16", "\t")
    assert result.lines["patient_name"].to_list() == ["Öberg, Åsa", "Andersson, Karin"]
    assert result.rejected.height == 0


def test_check_says_when_the_separator_is_not_one_it_knows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cosmic.csv"
    path.write_text(csv_text(COSMIC_HEADER, [cosmic_row()], sep="|"), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    assert 'avgränsaren mellan kolumnerna verkar vara "|", som inte stöds' in out
    assert "Rubriker i filen" not in out


def test_an_xlsx_cell_with_a_control_character_rejects_its_row(tmp_path: Path) -> None:
    header = ["Personnummer", "OrdinationsID", "Läkemedel", "Dosering"]
    path = write_xlsx(
        tmp_path / "c.xlsx",
        [header, [KARIN, "C-1", "Alvedon", "1x3"], [KARIN, "C-2", "WaranESC[2J", "1x1"]],
    )
    # Excel writes a control character in a cell as _x001B_ (XML cannot hold it).
    rewrite_sheet(path, {b"ESC": b"_x001B_"})
    result = load_export(path)
    assert result.lines["line_id"].to_list() == ["C-1"]
    assert result.rejected.select("line", "reason").rows() == [
        (3, 'otillåtet styrtecken (ESC, 0x1B) i kolumnen "Läkemedel"; raden läses inte')
    ]


def test_limits_are_stated_in_swedish_number_form() -> None:
    message = str(xlsx_limits._too_big(Path("x.xlsx"), "för stor"))
    assert re.search(r"1 048 576 rader, 200 kolumner och 15 000 000 celler", message)
    assert io  # the module is used by the helpers above

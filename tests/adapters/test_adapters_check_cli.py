"""``medrecon check``: what the IT person sees, and the exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from adapter_fixtures import (
    COSMIC_HEADER,
    PASCAL_HEADER,
    cosmic_row,
    pascal_row,
    write_csv,
    write_xlsx,
)

from medrecon.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_reports_layout_encoding_counts_and_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = [*COSMIC_HEADER, "Intern kod"]
    header[header.index("Läkemedel")] = "Preparat"
    rows = [
        {**cosmic_row(), "Preparat": "Alvedon 500 mg"},
        {**cosmic_row(OrdinationsID="C-2", Personnummer="19400512-1234"), "Preparat": "Waran"},
        {**cosmic_row(OrdinationsID="C-3", Status="Aktivv"), "Preparat": "Furix"},
    ]
    path = write_csv(tmp_path / "cosmic.csv", header, rows, sep=",", encoding="cp1252")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 0
    assert err == ""
    assert "== cosmic.csv ==" in out
    assert "System:            Cosmic (layout cosmic-v1)" in out
    assert "Filtyp:            CSV/text" in out
    assert "Teckenkodning:     Windows-1252 (ANSI)" in out
    assert "Avgränsare:        komma (,)" in out
    assert "Datarader:         3" in out
    assert "Inlästa rader:     1" in out
    assert "Patienter:         1" in out
    assert "Avvisade rader:    2" in out
    assert '"Preparat" läses som "Läkemedel"' in out
    assert 'Kolumner som inte används: "Intern kod"' in out
    assert "cosmic.csv, rad 3: ogiltigt personnummer 19400512-1234 (kontrollsiffra)" in out
    assert 'cosmic.csv, rad 4: okänt värde i kolumnen "Status": "Aktivv"' in out


def test_check_several_files_and_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pascal = write_csv(tmp_path / "pascal.csv", PASCAL_HEADER, [pascal_row()], encoding="utf-8-sig")
    cosmic = write_xlsx(tmp_path / "cosmic.xlsx", [COSMIC_HEADER, list(cosmic_row().values())])
    code, out, _ = run(["check", str(pascal), str(cosmic)], capsys)
    assert code == 0
    assert "System:            Pascal (layout pascal-v1)" in out
    assert "Teckenkodning:     UTF-8 med BOM" in out
    assert "Filtyp:            Excel (.xlsx)" in out
    assert out.count("Avvisade rader:    0") == 2


def test_check_exits_2_for_an_unusable_file_but_reports_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_csv(tmp_path / "a.csv", COSMIC_HEADER, [cosmic_row()])
    bad = write_csv(tmp_path / "b.csv", ["Personnummer", "OrdinationsID", "Läkemedel"], [])
    code, out, err = run(["check", str(good), str(bad)], capsys)
    assert code == 2
    assert "Inlästa rader:     1" in out
    assert "KAN INTE ANVÄNDAS" in out
    assert 'Filen b.csv kan inte användas: den saknar den obligatoriska kolumnen "Dosering"' in out
    assert err == "medrecon: 1 av 2 filer kan inte användas (se ovan).\n"
    assert "Traceback" not in out + err


def test_check_binary_file_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 4)
    code, out, err = run(["check", str(junk), str(tmp_path / "nope.csv")], capsys)
    assert code == 2
    assert "junk.csv kan inte användas: den innehåller binära data" in out
    assert "nope.csv finns inte" in out
    assert "2 av 2 filer kan inte användas" in err
    assert "Traceback" not in out + err


def test_check_with_mapping_and_forced_system(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "region.toml"
    mapping.write_text('[pascal]\n"ReceptID" = ["Radnummer"]\n', encoding="utf-8")
    header = ["Radnummer" if h == "ReceptID" else h for h in PASCAL_HEADER]
    row = {("Radnummer" if k == "ReceptID" else k): v for k, v in pascal_row().items()}
    path = write_csv(tmp_path / "p.csv", header, [row])
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 2
    assert "går inte att avgöra om den kommer från Cosmic eller Pascal" in out
    code, out, _ = run(["check", str(path), "--mapping", str(mapping)], capsys)
    assert code == 0
    assert '"Radnummer" läses som "ReceptID"' in out
    code, out, _ = run(["check", str(path), "--system", "pascal"], capsys)
    assert code == 2
    assert 'saknar den obligatoriska kolumnen "ReceptID"' in out


def test_check_bad_mapping_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = tmp_path / "region.toml"
    mapping.write_text("[cosmic\n", encoding="utf-8")
    path = write_csv(tmp_path / "c.csv", COSMIC_HEADER, [cosmic_row()])
    code, out, err = run(["check", str(path), "--mapping", str(mapping)], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith(
        "medrecon: Mappningsfilen region.toml är inte giltig TOML (rad 1, kolumn 8)."
    )


def test_check_without_files_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check"])
    assert exit_info.value.code == 2


def test_check_warns_about_a_header_only_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = write_csv(tmp_path / "tom.csv", PASCAL_HEADER, [])
    full = write_csv(tmp_path / "full.csv", PASCAL_HEADER, [pascal_row()])
    code, out, _ = run(["check", str(empty), str(full)], capsys)
    assert code == 0  # usable, but the IT person should know it carried no lines
    assert out.count("bara en rubrikrad") == 1
    assert out.index("bara en rubrikrad") < out.index("== full.csv ==")

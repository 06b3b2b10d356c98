"""What the IT person reads when a file or a mapping file is wrong (QA findings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from adapter_fixtures import (
    COSMIC_HEADER,
    PASCAL_HEADER,
    cosmic_row,
    csv_text,
    pascal_row,
    write_csv,
)

from adapters import load_export
from adapters.headers import load_mapping
from medrecon.cli import main
from medrecon.errors import MedreconError, UnusableInputError

# --- files given as the wrong system ----------------------------------------------------------


def test_swapped_files_in_reconcile_say_they_look_swapped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic = write_csv(tmp_path / "cosmic.csv", COSMIC_HEADER, [cosmic_row()])
    pascal = write_csv(tmp_path / "pascal.csv", PASCAL_HEADER, [pascal_row()])
    code = main(["reconcile", str(pascal), str(cosmic)])
    out, err = capsys.readouterr()
    assert code == 2
    message = out + err
    assert (
        "Filen pascal.csv ser ut att vara en Pascal-export, men den angavs som Cosmic. "
        "Har filerna bytt plats?"
    ) in message
    assert "saknar" not in message
    assert "Traceback" not in message


def test_a_cosmic_file_given_as_pascal_says_it_looks_like_cosmic(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", COSMIC_HEADER, [cosmic_row()])
    with pytest.raises(UnusableInputError) as err:
        load_export(path, system="pascal")
    assert err.value.message.startswith(
        "Filen c.csv ser ut att vara en Cosmic-export, men den angavs som Pascal."
    )
    assert err.value.exit_code == 2


def test_a_file_of_neither_layout_still_lists_the_missing_columns(tmp_path: Path) -> None:
    # Pascal's id column but not the rest of Pascal's layout: not "the other system".
    path = write_csv(tmp_path / "x.csv", ["Personnummer", "ReceptID", "Dosering"], [])
    with pytest.raises(UnusableInputError) as err:
        load_export(path, system="cosmic")
    assert "ser ut att vara" not in err.value.message
    assert (
        'den saknar de obligatoriska kolumnerna "OrdinationsID" och "Läkemedel" för Cosmic'
    ) in err.value.message
    assert "Byt namn på kolumnerna i exporten" in err.value.message


def test_one_missing_column_is_named_in_the_singular(tmp_path: Path) -> None:
    header = [h for h in COSMIC_HEADER if h != "Dosering"]
    path = write_csv(tmp_path / "c.csv", header, [cosmic_row()])
    with pytest.raises(UnusableInputError) as err:
        load_export(path, system="cosmic")
    assert 'den saknar den obligatoriska kolumnen "Dosering" för Cosmic' in err.value.message
    assert "Byt namn på kolumnen i exporten" in err.value.message


# --- mapping files ------------------------------------------------------------------------------


def mapping_error(path: Path) -> str:
    with pytest.raises(MedreconError) as err:
        load_mapping(path)
    assert err.value.exit_code == 2
    return err.value.message


def test_toml_error_names_line_and_column_in_swedish(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[cosmic]\n"Dosering" = ["Dos",\n"Läkemedel" = ["Preparat"]\n', "utf-8")
    message = mapping_error(path)
    assert message == (
        "Mappningsfilen bad.toml är inte giltig TOML (rad 3, kolumn 13). "
        "Kontrollera citattecken och hakparenteser där."
    )


def test_toml_error_at_the_end_of_the_file_points_at_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[cosmic]\n"Läkemedel" = ["Preparat"\n\n', "utf-8")
    message = mapping_error(path)
    assert "inte giltig TOML (rad 2, kolumn 26)" in message
    assert "Unclosed" not in message and "Tekniskt fel" not in message


def test_toml_error_from_an_unquoted_swedish_field_name_explains_the_quotes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "region.toml"
    path.write_text('[cosmic]\nLäkemedel = ["Preparat"]\n', "utf-8")
    message = mapping_error(path)
    assert message.startswith("Mappningsfilen region.toml är inte giltig TOML (rad 2, kolumn 2).")
    assert 'Fältnamn med å, ä eller ö ska stå inom citattecken: "Läkemedel" = ["..."].' in message


def test_mapping_that_is_a_folder_says_so(tmp_path: Path) -> None:
    message = mapping_error(tmp_path)
    assert message.startswith(f"Mappningsfilen {tmp_path.name} är en mapp, inte en fil.")
    assert "UTF-8" not in message


def test_mapping_that_does_not_exist_says_so(tmp_path: Path) -> None:
    message = mapping_error(tmp_path / "saknas.toml")
    assert message.startswith("Mappningsfilen saknas.toml finns inte")
    assert str(tmp_path) in message  # where it was looked for


def test_unknown_sections_and_fields_are_all_named_at_once(tmp_path: Path) -> None:
    path = tmp_path / "region.toml"
    path.write_text(
        '[cosmik]\n"Läkemedel" = ["Preparat"]\n'
        '[cosmic]\n"Lakemedlet" = "x"\n"Dosering" = "D"\n"ReceptID" = "R"\n'
        'pascal = "p"\n',
        "utf-8",
    )
    message = mapping_error(path)
    assert message.startswith("Mappningsfilen region.toml kan inte användas:")
    for name in ("[cosmik]", '"Lakemedlet"', '"ReceptID"', "pascal"):
        assert name in message, name
    assert "[cosmic]" in message and "[pascal]" in message  # what is allowed


def test_check_with_a_broken_mapping_prints_the_swedish_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "bad.toml"
    mapping.write_text('[cosmic]\n"Dosering" = ["Dos",\n"Läkemedel" = ["x"]\n', "utf-8")
    path = write_csv(tmp_path / "c.csv", COSMIC_HEADER, [cosmic_row()])
    code = main(["check", "--mapping", str(mapping), str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Mappningsfilen bad.toml är inte giltig TOML (rad 3, kolumn 13)" in out + err


# --- encodings ----------------------------------------------------------------------------------


def mixed_rows() -> str:
    return csv_text(
        COSMIC_HEADER,
        [
            cosmic_row(),
            cosmic_row(OrdinationsID="C-2", Patient="Öberg, Åsa"),
            cosmic_row(OrdinationsID="C-3", Patient="Ärlig, Åke"),
        ],
    )


def test_utf8_file_with_one_windows_1252_line_names_that_line(tmp_path: Path) -> None:
    lines = mixed_rows().splitlines(keepends=True)
    # Data line 2 (file line 3) was pasted in from a Windows-1252 file.
    data = b"".join(
        line.encode("cp1252" if number == 3 else "utf-8")
        for number, line in enumerate(lines, start=1)
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    with pytest.raises(UnusableInputError) as err:
        load_export(path)
    assert err.value.message == (
        "Filen mixed.csv är inte giltig UTF-8 på rad 3 (ett tecken i Windows-1252?). "
        "Spara om filen som UTF-8 eller Windows-1252 i sin helhet."
    )
    assert err.value.exit_code == 2


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_mixed_file_line_counts_any_line_ending(tmp_path: Path, newline: str) -> None:
    lines = mixed_rows().splitlines()
    data = newline.join(lines[:3]).encode("utf-8") + newline.encode()
    data += newline.join(lines[3:]).encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    with pytest.raises(UnusableInputError, match="inte giltig UTF-8 på rad 4 "):
        load_export(path)


def test_a_file_entirely_in_windows_1252_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "ansi.csv"
    path.write_bytes(mixed_rows().encode("cp1252"))
    result = load_export(path)
    assert result.files[0].encoding == "cp1252"
    assert result.lines["patient_name"].to_list() == [
        "Andersson, Karin",
        "Öberg, Åsa",
        "Ärlig, Åke",
    ]


def test_windows_1252_file_with_a_chance_utf8_sequence_still_loads(tmp_path: Path) -> None:
    # "Ä°" in Windows-1252 is the bytes C4 B0, valid UTF-8 (for "İ") on its own: one such
    # pair among many Windows-1252 letters must not make the file count as UTF-8.
    text = mixed_rows().replace("mot smärta", "mot smärta Ä°", 1)
    path = tmp_path / "ansi.csv"
    path.write_bytes(text.encode("cp1252"))
    result = load_export(path)
    assert result.files[0].encoding == "cp1252"


def test_mojibake_names_the_line_it_is_on(tmp_path: Path) -> None:
    text = csv_text(
        ["Personnummer", "Patient", "OrdinationsID", "Läkemedel", "Dosering"],
        [
            cosmic_row(),
            cosmic_row(OrdinationsID="C-2"),
            cosmic_row(OrdinationsID="C-3", Patient="Öberg, Åsa"),
        ],
    )
    lines = text.splitlines(keepends=True)
    lines[3] = lines[3].encode("utf-8").decode("cp1252")  # file line 4, saved as UTF-8
    for newline in ("\n", "\r"):
        path = tmp_path / "cosmic.csv"
        path.write_bytes("".join(lines).replace("\n", newline).encode("utf-8"))
        with pytest.raises(UnusableInputError) as err:
            load_export(path)
        assert 'felkodade tecken ("Ã–" på rad 4)' in err.value.message, newline


def test_mixed_encoding_count_survives_a_letter_split_between_chunks() -> None:
    from adapters import encoding

    # The first "å" straddles the first chunk boundary; three valid letters, one bad byte.
    data = b"a" * (encoding._CHUNK - 1) + "ååå".encode() + b"\xe5\n"
    assert encoding._mostly_utf8(data)
    assert not encoding._mostly_utf8(b"a" * (encoding._CHUNK - 1) + "å".encode() + b"\xe5\xe4\n")

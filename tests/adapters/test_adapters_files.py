"""Whole files: encodings, separators, XLSX, and files that cannot be used at all."""

from __future__ import annotations

import gzip
import re
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from adapter_fixtures import (
    COSMIC_HEADER,
    KARIN,
    OLLE,
    PASCAL_HEADER,
    cosmic_row,
    csv_text,
    pascal_row,
    write_csv,
    write_xlsx,
)

from adapters import detect_system, load_export, load_exports
from medrecon.errors import UnusableInputError
from medrecon.schema import CANONICAL_SCHEMA, REJECTED_SCHEMA

SWEDISH = cosmic_row(
    Patient="Öberg, Åsa", Dosering="1 tablett på kvällen, vid behov även på förmiddagen"
)


@pytest.mark.parametrize(
    ("encoding", "prefix", "reported"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings_are_detected_and_swedish_letters_survive(
    tmp_path: Path, encoding: str, prefix: bytes, reported: str
) -> None:
    path = tmp_path / "cosmic.csv"
    path.write_bytes(prefix + csv_text(COSMIC_HEADER, [SWEDISH]).encode(encoding))
    result = load_export(path)
    assert result.files[0].encoding == reported
    assert result.lines["patient_name"].to_list() == ["Öberg, Åsa"]
    assert result.lines["dosing_text"].to_list() == [SWEDISH["Dosering"]]
    # The BOM must not end up in the first header: Personnummer was found.
    assert result.lines["patient_id"].to_list() == [KARIN]


@pytest.mark.parametrize(("sep", "name"), [(";", ";"), (",", ","), ("\t", "\t")])
def test_separator_is_chosen_from_the_header_row(tmp_path: Path, sep: str, name: str) -> None:
    rows = [cosmic_row(Dosering="1 tablett, 2 gånger; dagligen"), cosmic_row(OrdinationsID="C-2")]
    path = write_csv(tmp_path / "cosmic.txt", COSMIC_HEADER, rows, sep=sep)
    result = load_export(path)
    assert result.files[0].separator == name
    assert result.rejected.height == 0
    assert result.lines["dosing_text"].to_list() == [
        "1 tablett, 2 gånger; dagligen",
        "2 tabletter 3 gånger dagligen",
    ]


def test_windows_line_ends_and_quoted_multiline_fields(tmp_path: Path) -> None:
    rows = [
        cosmic_row(Dosering='1 tablett "vid smärta"\nhögst 4 per dygn'),
        cosmic_row(OrdinationsID="C-2"),
    ]
    path = tmp_path / "cosmic.csv"
    path.write_bytes(csv_text(COSMIC_HEADER, rows).replace("\n", "\r\n").encode("utf-8"))
    # The multi-line field was written with \r\n inside it, as Excel does.
    result = load_export(path)
    assert result.rejected.height == 0
    assert result.lines["dosing_text"].to_list()[0] == '1 tablett "vid smärta"\nhögst 4 per dygn'
    assert result.lines["line"].to_list() == [2, 4]  # the first record spans lines 2-3


def test_blank_lines_at_the_end_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "cosmic.csv"
    path.write_text(csv_text(COSMIC_HEADER, [cosmic_row()]) + "\n\n  \n", encoding="utf-8")
    result = load_export(path)
    assert result.files[0].rows == 1
    assert result.lines.height == 1
    assert result.rejected.height == 0


def test_frames_have_the_documented_schemas(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv", COSMIC_HEADER, [cosmic_row(), cosmic_row(Personnummer="x")]
    )
    result = load_export(path)
    assert result.lines.schema == pl.Schema(CANONICAL_SCHEMA)
    assert result.rejected.schema == pl.Schema(REJECTED_SCHEMA)


def test_header_only_file_loads_zero_lines(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "pascal.csv", PASCAL_HEADER, [])
    result = load_export(path)
    assert result.lines.height == 0
    assert result.rejected.height == 0
    assert result.files[0].rows == 0
    assert result.files[0].system == "pascal"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "Filen bad.csv kan inte användas: den är tom."),
        (b"\n\n  \r\n", "Filen bad.csv kan inte användas: den är tom."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "det är en bild (PNG)"),
        (b"Personnummer;Patient\n\x00\x01\x02\x03", "binära data"),
        (gzip.compress(b"Personnummer;OrdinationsID\n", mtime=0), "gzip-komprimerad"),
        (bytes(range(256)) * 8, "binära data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "gamla Excel-formatet (.xls)"),
        (b"Personnummer;OrdinationsID\n\x81\x8d\x8f;x\n", "teckenkodningen kunde inte avgöras"),
    ],
)
def test_unusable_files_raise_a_swedish_message_naming_the_file(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UnusableInputError) as err:
        load_export(path)
    assert expected in err.value.message
    assert "bad.csv" in err.value.message
    assert err.value.exit_code == 2


def test_double_encoded_text_is_refused_not_loaded_as_mojibake(tmp_path: Path) -> None:
    path = tmp_path / "cosmic.csv"
    text = csv_text(
        COSMIC_HEADER, [cosmic_row(), cosmic_row(OrdinationsID="C-2", Patient="Öberg, Åsa")]
    )
    # UTF-8 bytes read as Windows-1252 and saved as UTF-8 again: "Ã–berg, Ã…sa".
    path.write_bytes(text.encode("utf-8").decode("cp1252").encode("utf-8"))
    with pytest.raises(UnusableInputError) as err:
        load_export(path)
    assert "felkodade tecken" in err.value.message
    assert "rad 1" in err.value.message  # already the header's "VÃ¥rdenhet"
    assert "cosmic.csv" in err.value.message


def test_a_text_that_is_no_table_names_the_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Hej!\nDetta är ett brev, ingen export.\n", encoding="utf-8")
    with pytest.raises(UnusableInputError) as err:
        load_export(path, system="cosmic")
    assert 'saknar de obligatoriska kolumnerna "Personnummer", "OrdinationsID"' in (
        err.value.message
    )
    assert 'Rubriker i filen: "Hej!"' in err.value.message


def test_missing_file_and_xlsx_that_is_not_excel(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError, match="finns inte"):
        load_export(tmp_path / "nope.csv")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Personnummer;OrdinationsID\n", encoding="utf-8")
    with pytest.raises(UnusableInputError, match=r"fake\.xlsx .*ingen Excel-fil"):
        load_export(fake)


def test_folder_means_every_export_file_in_it_sorted(tmp_path: Path) -> None:
    write_csv(tmp_path / "b.csv", COSMIC_HEADER, [cosmic_row(OrdinationsID="C-2")])
    write_csv(tmp_path / "a.txt", COSMIC_HEADER, [cosmic_row(OrdinationsID="C-1")])
    (tmp_path / "readme.md").write_text("not an export", encoding="utf-8")
    (tmp_path / "~$c.xlsx").write_bytes(b"lock file")
    result = load_exports([tmp_path])
    assert [f.path.name for f in result.files] == ["a.txt", "b.csv"]
    assert result.lines["line_id"].to_list() == ["C-1", "C-2"]
    assert result.lines["file"].to_list() == ["a.txt", "b.csv"]


def test_empty_folder_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError, match="innehåller inga exportfiler"):
        load_exports([tmp_path])


def test_files_of_both_systems_are_not_mixed(tmp_path: Path) -> None:
    write_csv(tmp_path / "c.csv", COSMIC_HEADER, [cosmic_row()])
    write_csv(tmp_path / "p.csv", PASCAL_HEADER, [pascal_row()])
    with pytest.raises(Exception, match=re.escape("olika system: c.csv (Cosmic), p.csv (Pascal)")):
        load_exports([tmp_path / "c.csv", tmp_path / "p.csv"])


def test_detect_system_from_headers(tmp_path: Path) -> None:
    assert detect_system(write_csv(tmp_path / "c.csv", COSMIC_HEADER, [])) == "cosmic"
    assert detect_system(write_csv(tmp_path / "p.csv", PASCAL_HEADER, [])) == "pascal"
    both = write_csv(tmp_path / "both.csv", ["Personnummer", "OrdinationsID", "ReceptID"], [])
    with pytest.raises(UnusableInputError, match="både en Cosmic-kolumn"):
        detect_system(both)
    neither = write_csv(tmp_path / "n.csv", ["Personnummer", "Läkemedel"], [])
    with pytest.raises(UnusableInputError, match='varken kolumnen "OrdinationsID"'):
        detect_system(neither)


def test_several_files_of_one_system_are_concatenated(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", PASCAL_HEADER, [pascal_row()])
    b = write_csv(
        tmp_path / "b.csv", PASCAL_HEADER, [pascal_row(ReceptID="P-2", Personnummer=OLLE)]
    )
    result = load_exports([a, b])
    assert result.lines["patient_id"].to_list() == [KARIN, OLLE]
    assert [(f.path.name, f.lines_loaded, f.patients) for f in result.files] == [
        ("a.csv", 1, 1),
        ("b.csv", 1, 1),
    ]


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_values_are_read_as_text_numbers_and_dates_intact(tmp_path: Path) -> None:
    header = ["Personnummer", "OrdinationsID", "Läkemedel", "Dosering", "Insättningsdatum",
              "Senast ändrad", "Styrka"]  # fmt: skip
    path = write_xlsx(
        tmp_path / "cosmic.xlsx",
        [
            header,
            [
                int(KARIN),
                "C-1",
                "Alvedon 500 mg",
                "1x3",
                date(2024, 3, 1),
                datetime(2025, 10, 2, 14, 31),
                500,
            ],
            [OLLE, 2, "Waran 2,5 mg", "enligt INR", "2024-03-02", "2025-10-02 08:00", "2,5 mg"],
        ],
    )
    result = load_export(path)
    info = result.files[0]
    assert (info.file_type, info.encoding, info.separator) == ("xlsx", None, None)
    assert result.rejected.height == 0
    lines = result.lines
    assert lines["patient_id"].to_list() == [KARIN, OLLE]
    assert lines["line_id"].to_list() == ["C-1", "2"]
    assert lines["strength_text"].to_list() == ["500", "2,5 mg"]
    assert lines["start_date"].to_list() == [date(2024, 3, 1), date(2024, 3, 2)]
    assert lines["last_changed"].to_list() == [
        datetime(2025, 10, 2, 14, 31),
        datetime(2025, 10, 2, 8, 0),
    ]
    assert lines["line"].to_list() == [2, 3]


def test_xlsx_line_numbers_skip_nothing_and_blank_rows_are_ignored(tmp_path: Path) -> None:
    header = ["Personnummer", "OrdinationsID", "Läkemedel", "Dosering"]
    path = write_xlsx(
        tmp_path / "c.xlsx",
        [
            header,
            [KARIN, "C-1", "A", "1x1"],
            [None, None, None, None],
            ["x", "C-2", "B", "1x1"],
            [KARIN, "C-3", "C", "1x1", "utan rubrik"],
        ],
    )
    result = load_export(path)
    assert result.lines["line"].to_list() == [2]
    assert result.rejected.select("line", "reason").rows() == [
        (4, "ogiltigt personnummer x (okänt format)"),
        (5, "raden har värden i kolumner utan rubrik"),
    ]
    assert result.rejected["patient_id"].to_list() == [None, KARIN]
    assert result.files[0].rows == 3


def test_empty_and_header_only_xlsx(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError, match=r"empty\.xlsx kan inte användas: den är tom"):
        load_export(write_xlsx(tmp_path / "empty.xlsx", []))
    result = load_export(write_xlsx(tmp_path / "h.xlsx", [PASCAL_HEADER]))
    assert result.lines.height == 0
    assert result.files[0].system == "pascal"


def test_xlsx_missing_required_column(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", [["Personnummer", "OrdinationsID", "Läkemedel"]])
    with pytest.raises(UnusableInputError) as err:
        load_export(path)
    assert 'c.xlsx kan inte användas: den saknar den obligatoriska kolumnen "Dosering"' in (
        err.value.message
    )


def test_a_mapping_file_given_as_export_is_unusable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text('# Mappning\n[cosmic]\n"Läkemedel" = ["Preparat"]\n', encoding="utf-8")
    with pytest.raises(UnusableInputError, match=r"mapping\.toml kan inte användas"):
        load_export(path)
    quoted_header = tmp_path / "h.csv"
    quoted_header.write_text('"Personnummer"x;OrdinationsID\n', encoding="utf-8")
    with pytest.raises(UnusableInputError, match="rubrikraden har felaktiga citattecken"):
        load_export(quoted_header)

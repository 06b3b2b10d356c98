"""Rows: canonical values, and every reason a row is rejected (never silently dropped)."""

from __future__ import annotations

from datetime import date, datetime
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
    write_csv,
)

from adapters import load_export, load_exports
from medrecon.model import LoadResult


def load_cosmic(tmp_path: Path, rows: list[dict[str, str]], header=COSMIC_HEADER) -> LoadResult:
    return load_export(write_csv(tmp_path / "cosmic.csv", header, rows))


def load_pascal(tmp_path: Path, rows: list[dict[str, str]], header=PASCAL_HEADER) -> LoadResult:
    return load_export(write_csv(tmp_path / "pascal.csv", header, rows))


def rejected(result: LoadResult) -> list[tuple[int, str | None, str]]:
    return result.rejected.select("line", "patient_id", "reason").rows()


def assert_every_row_accounted(result: LoadResult) -> None:
    for report in result.files:
        assert report.rows == report.lines_loaded + report.rows_rejected
    assert result.lines.height + result.rejected.height == sum(f.rows for f in result.files)


def test_cosmic_line_in_canonical_form(tmp_path: Path) -> None:
    result = load_cosmic(tmp_path, [cosmic_row(Personnummer="19400512-1233", ATC=" n02be01 ")])
    line = result.lines.row(0, named=True)
    assert line == {
        "source": "cosmic",
        "file": "cosmic.csv",
        "line": 2,
        "patient_id": KARIN,
        "patient_name": "Andersson, Karin",
        "care_unit": "Hemsjukvård Karlstad Norr",
        "line_id": "C-1",
        "product_text": "Alvedon filmdragerad tablett 500 mg",
        "substance_text": "Paracetamol",
        "strength_text": "500 mg",
        "form_text": "Filmdragerad tablett",
        "route_text": "Oral",
        "dosing_text": "2 tabletter 3 gånger dagligen",
        "dose_morning": None,
        "dose_noon": None,
        "dose_evening": None,
        "dose_night": None,
        "as_needed": False,
        "dosing_type": "Stående",
        "dispensing": "dose",
        "start_date": date(2024, 3, 1),
        "end_date": None,
        "valid_until": None,
        "status": "active",
        "order_type": "prescription",
        "atc": "N02BE01",
        "npl_id": None,
        "prescriber": "Lena Berg",
        "purpose": "mot smärta",
        "last_changed": datetime(2025, 10, 2, 14, 31),
    }


def test_pascal_line_in_canonical_form(tmp_path: Path) -> None:
    result = load_pascal(tmp_path, [pascal_row(Middag="½", Kväll="0,5", Natt="1/2")])
    line = result.lines.row(0, named=True)
    assert (line["source"], line["patient_id"], line["line_id"]) == ("pascal", KARIN, "P-1")
    assert (line["dose_morning"], line["dose_noon"], line["dose_evening"], line["dose_night"]) == (
        2.0,
        0.5,
        0.5,
        0.5,
    )
    assert line["as_needed"] is False
    assert line["dispensing"] == "dose"
    assert line["status"] == "active"
    assert line["order_type"] == "prescription"
    assert line["valid_until"] == date(2026, 2, 28)
    assert line["npl_id"] == "19750101000019"
    assert line["care_unit"] is None
    assert line["purpose"] == "Smärta"
    assert line["last_changed"] == datetime(2025, 9, 30, 9, 12)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("2", 2.0), ("½", 0.5), ("¼", 0.25), ("¾", 0.75), ("1/2", 0.5), ("0,5", 0.5), ("1.5", 1.5),
     ("1½", 1.5), ("1 ½", 1.5), ("1 1/2", 1.5), (" 3 ", 3.0), ("0", 0.0), ("", None)],
)  # fmt: skip
def test_pascal_amount_forms(tmp_path: Path, text: str, amount: float | None) -> None:
    result = load_pascal(tmp_path, [pascal_row(Morgon=text)])
    assert result.lines["dose_morning"].to_list() == [amount]


@pytest.mark.parametrize("text", ["två", "1-2", "-1", "1/0", "1,5 st", "½½", "1e3", "inf"])
def test_pascal_unreadable_amount_is_rejected(tmp_path: Path, text: str) -> None:
    result = load_pascal(tmp_path, [pascal_row(Kväll=text)])
    assert rejected(result) == [
        (2, KARIN, f'ogiltig mängd i kolumnen "Kväll": "{text.strip()}" (t.ex. 1, ½, 0,5)')
    ]


def test_pascal_status_from_utsatt_and_flags(tmp_path: Path) -> None:
    result = load_pascal(
        tmp_path,
        [
            pascal_row(ReceptID="P-1", Utsatt="2025-01-31"),
            pascal_row(ReceptID="P-2", **{"Vid behov": "ja", "Dispensering": "Helförpackning"}),
            pascal_row(ReceptID="P-3", **{"Vid behov": "", "Dispensering": "helforpackning"}),
            pascal_row(ReceptID="P-4", **{"Sista giltighetsdag": "2020-01-01"}),
        ],
    )
    assert result.lines.select("status", "end_date", "as_needed", "dispensing").rows() == [
        ("ended", date(2025, 1, 31), False, "dose"),
        ("active", None, True, "package"),
        ("active", None, None, "package"),
        ("active", None, False, "dose"),  # an expired prescription is not ended
    ]


def test_cosmic_controlled_values(tmp_path: Path) -> None:
    result = load_cosmic(
        tmp_path,
        [
            cosmic_row(OrdinationsID="1", Status="utsatt", Utsättningsdatum="2025-02-01"),
            cosmic_row(OrdinationsID="2", Status="PAUSAD", Doseringstyp="vid behov"),
            cosmic_row(OrdinationsID="3", Status="", Utsättningsdatum="2025-02-01"),
            cosmic_row(OrdinationsID="4", Status="", Ordinationstyp="Rekvisition"),
            cosmic_row(OrdinationsID="5", Ordinationstyp="egenvard", Dosdispenserad="nej"),
            cosmic_row(OrdinationsID="6", Ordinationstyp="", Dosdispenserad="", Doseringstyp=""),
            cosmic_row(OrdinationsID="7", Doseringstyp="Enligt särskild ordination"),
        ],
    )
    assert result.lines.select(
        "status", "order_type", "dispensing", "as_needed", "dosing_type"
    ).rows() == [
        ("ended", "prescription", "dose", False, "Stående"),
        ("paused", "prescription", "dose", True, "vid behov"),
        ("ended", "prescription", "dose", False, "Stående"),
        ("active", "ward_stock", "dose", False, "Stående"),
        ("active", "self_care", "package", False, "Stående"),
        ("active", "prescription", None, None, None),
        ("active", "prescription", "dose", False, "Enligt särskild ordination"),
    ]


def test_cosmic_without_status_column_is_ended_by_end_date(tmp_path: Path) -> None:
    header = [h for h in COSMIC_HEADER if h != "Status"]
    result = load_cosmic(
        tmp_path,
        [
            cosmic_row(OrdinationsID="1"),
            cosmic_row(OrdinationsID="2", Utsättningsdatum="2025-02-01"),
        ],
        header,
    )
    assert result.lines["status"].to_list() == ["active", "ended"]


UNKNOWN = "okänt värde"
BAD_DATE = "ogiltigt datum"
BAD_TIME = "ogiltig tidpunkt"
DATE_HINT = "(ÅÅÅÅ-MM-DD)"
TIME_HINT = "(ÅÅÅÅ-MM-DD TT:MM)"


def reason_for(what: str, column: str, value: str, hint: str) -> str:
    return f'{what} i kolumnen "{column}": "{value}" {hint}'


@pytest.mark.parametrize(
    ("column", "value", "what", "hint"),
    [
        ("Status", "Aktivv", UNKNOWN, "(tillåtna: Aktiv, Utsatt, Pausad)"),
        ("Ordinationstyp", "Apodos", UNKNOWN, "(tillåtna: Recept, Rekvisition, Egenvård)"),
        ("Dosdispenserad", "Kanske", UNKNOWN, "(tillåtna: Ja, Nej)"),
        (
            "Doseringstyp",
            "Ibland",
            UNKNOWN,
            "(tillåtna: Stående, Vid behov, Tillfällig, Enligt särskild ordination)",
        ),
        ("Insättningsdatum", "2024-02-30", BAD_DATE, DATE_HINT),
        ("Insättningsdatum", "1/3/2024", BAD_DATE, DATE_HINT),
        ("Insättningsdatum", "24-03-01", BAD_DATE, DATE_HINT),
        ("Utsättningsdatum", "igår", BAD_DATE, DATE_HINT),
        ("Senast ändrad", "2025-10-02 25:00", BAD_TIME, TIME_HINT),
    ],
)
def test_cosmic_bad_values_reject_the_row(
    tmp_path: Path, column: str, value: str, what: str, hint: str
) -> None:
    result = load_cosmic(tmp_path, [cosmic_row(OrdinationsID="C-0"), cosmic_row(**{column: value})])
    assert result.lines["line_id"].to_list() == ["C-0"]
    assert rejected(result) == [(3, KARIN, reason_for(what, column, value, hint))]


@pytest.mark.parametrize(
    ("column", "value", "what", "hint"),
    [
        ("Vid behov", "Kanske", UNKNOWN, "(tillåtna: Ja, Nej)"),
        ("Dispensering", "Apodos", UNKNOWN, "(tillåtna: Dosdispenserad, Helförpackning)"),
        ("Utsatt", "2025-13-01", BAD_DATE, DATE_HINT),
        ("Sista giltighetsdag", "snart", BAD_DATE, DATE_HINT),
        ("Ändrad", "30/9 2025", BAD_TIME, TIME_HINT),
    ],
)
def test_pascal_bad_values_reject_the_row(
    tmp_path: Path, column: str, value: str, what: str, hint: str
) -> None:
    result = load_pascal(tmp_path, [pascal_row(**{column: value})])
    assert rejected(result) == [(2, KARIN, reason_for(what, column, value, hint))]


def test_timestamp_forms(tmp_path: Path) -> None:
    values = ["2025-10-02 14:31", "2025-10-02 14:31:05", "2025-10-02T14:31", "2025-10-02"]
    result = load_cosmic(
        tmp_path,
        [cosmic_row(OrdinationsID=str(i), **{"Senast ändrad": v}) for i, v in enumerate(values)],
    )
    assert result.lines["last_changed"].to_list() == [
        datetime(2025, 10, 2, 14, 31),
        datetime(2025, 10, 2, 14, 31, 5),
        datetime(2025, 10, 2, 14, 31),
        datetime(2025, 10, 2),
    ]


def test_pascal_row_without_any_dosing_is_rejected(tmp_path: Path) -> None:
    row = pascal_row(Användning="", Morgon="", Middag="", Kväll="", Natt="")
    result = load_pascal(tmp_path, [row, pascal_row(ReceptID="P-2", Användning="")])
    assert rejected(result) == [
        (
            2,
            KARIN,
            'dosering saknas: varken "Användning" eller Morgon, Middag, Kväll, Natt är ifyllda',
        )
    ]
    assert result.lines["line_id"].to_list() == ["P-2"]


def test_id_line_id_and_product_problems(tmp_path: Path) -> None:
    result = load_cosmic(
        tmp_path,
        [
            cosmic_row(OrdinationsID="C-1", Personnummer="19400512-1234"),
            cosmic_row(OrdinationsID="C-2", Personnummer=""),
            cosmic_row(OrdinationsID=" "),
            cosmic_row(OrdinationsID="C-4", Läkemedel=""),
            cosmic_row(OrdinationsID="C-5", Personnummer="19400532-1234", Status="Aktivv"),
            cosmic_row(OrdinationsID="C-6", Personnummer=OLLE),
        ],
    )
    assert rejected(result) == [
        (2, None, "ogiltigt personnummer 19400512-1234 (kontrollsiffra)"),
        (3, None, "personnummer saknas"),
        (4, KARIN, 'rad-id saknas (kolumnen "OrdinationsID" är tom)'),
        (5, KARIN, 'läkemedel saknas (kolumnen "Läkemedel" är tom)'),
        (
            6,
            None,
            "ogiltigt personnummer 19400532-1234 (omöjligt datum); okänt värde i kolumnen "
            '"Status": "Aktivv" (tillåtna: Aktiv, Utsatt, Pausad)',
        ),
    ]
    assert result.lines["patient_id"].to_list() == [OLLE]
    assert result.files[0].patients == 1
    assert_every_row_accounted(result)


def test_duplicate_line_id_rejects_the_later_row(tmp_path: Path) -> None:
    result = load_pascal(
        tmp_path,
        [pascal_row(), pascal_row(ReceptID="P-2"), pascal_row(Personnummer=OLLE)],
    )
    assert result.lines["line"].to_list() == [2, 3]
    assert rejected(result) == [(4, OLLE, "ReceptID P-1 finns redan på rad 2")]


def test_duplicate_line_id_across_files_names_the_earlier_file(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", COSMIC_HEADER, [cosmic_row(OrdinationsID="C-9")])
    b = write_csv(
        tmp_path / "b.csv",
        COSMIC_HEADER,
        [cosmic_row(OrdinationsID="C-1"), cosmic_row(OrdinationsID="C-9")],
    )
    result = load_exports([a, b])
    assert result.rejected.select("file", "line", "reason").rows() == [
        ("b.csv", 3, "OrdinationsID C-9 finns redan på rad 2 i a.csv")
    ]
    assert [f.rows_rejected for f in result.files] == [0, 1]
    assert_every_row_accounted(result)


def test_ragged_rows_are_rejected_not_padded_or_cut(tmp_path: Path) -> None:
    good = csv_text(COSMIC_HEADER, [cosmic_row(OrdinationsID="C-1")])
    short = ";".join([KARIN, "Andersson, Karin", "C-2", "Alvedon"])
    long = csv_text(COSMIC_HEADER, [cosmic_row(OrdinationsID="C-3")]).splitlines()[1] + ";extra"
    last = csv_text(COSMIC_HEADER, [cosmic_row(OrdinationsID="C-4")]).splitlines()[1]
    path = tmp_path / "cosmic.csv"
    path.write_text(good + short + "\n" + long + "\n\n" + last + "\n", encoding="utf-8")
    result = load_export(path)
    assert result.lines.select("line", "line_id").rows() == [(2, "C-1"), (6, "C-4")]
    assert rejected(result) == [
        (3, KARIN, "raden har 4 fält men rubrikraden har 20"),
        (4, KARIN, "raden har 21 fält men rubrikraden har 20"),
    ]
    assert result.files[0].rows == 4
    assert_every_row_accounted(result)


def test_quoted_separator_is_not_a_ragged_row(tmp_path: Path) -> None:
    result = load_cosmic(tmp_path, [cosmic_row(Patient="Andersson; Karin", Dosering='"1x3"')])
    assert result.rejected.height == 0
    assert result.lines.select("patient_name", "dosing_text").rows() == [
        ("Andersson; Karin", '"1x3"')
    ]


def test_ragged_row_after_a_multiline_record_keeps_true_line_numbers(tmp_path: Path) -> None:
    text = csv_text(
        COSMIC_HEADER,
        [cosmic_row(OrdinationsID="C-1", Dosering="rad ett\nrad två\nrad tre")],
    )
    broken = ";".join([OLLE, "Olsson", "C-2"])
    last = csv_text(COSMIC_HEADER, [cosmic_row(OrdinationsID="C-3")]).splitlines()[1]
    path = tmp_path / "cosmic.csv"
    path.write_text(text + broken + "\n" + last + "\n", encoding="utf-8")
    result = load_export(path)
    assert result.lines.select("line", "line_id").rows() == [(2, "C-1"), (6, "C-3")]
    assert rejected(result) == [(5, OLLE, "raden har 3 fält men rubrikraden har 20")]


def test_a_field_with_text_after_its_closing_quote_is_rejected(tmp_path: Path) -> None:
    rows = [cosmic_row(OrdinationsID="C-1"), cosmic_row(OrdinationsID="C-2")]
    text = csv_text(COSMIC_HEADER, rows).replace(";C-2;", ';"C-2"x;')
    path = tmp_path / "cosmic.csv"
    path.write_text(text, encoding="utf-8")
    result = load_export(path)
    assert result.lines["line_id"].to_list() == ["C-1"]
    assert rejected(result) == [
        (
            3,
            KARIN,
            'felaktiga citattecken: efter ett avslutande citattecken (") ska avgränsaren komma',
        )
    ]


@pytest.mark.parametrize(
    "padding",
    [(" ", " "), ("\t", ""), ("", "\t"), ("\u00a0", ""), ("", "\u3000"), ("\u2009", "\u2009")],
    ids=["space", "tab-before", "tab-after", "nbsp", "ideographic", "thin"],
)
def test_cells_are_trimmed_of_any_surrounding_whitespace(
    tmp_path: Path, padding: tuple[str, str]
) -> None:
    before, after = padding
    rows = [
        cosmic_row(OrdinationsID="C-1"),
        cosmic_row(OrdinationsID="C-2", Status=f"{before}Utsatt{after}"),
        cosmic_row(OrdinationsID=f"{before}C-3{after}", Läkemedel=f"{before}Waran{after}"),
        cosmic_row(OrdinationsID="C-4", Personnummer=f"{before}{OLLE}"),
        cosmic_row(OrdinationsID="C-5", **{"Senast ändrad": f"2025-10-02 14:31{after}"}),
    ]
    result = load_cosmic(tmp_path, rows)
    assert result.rejected.height == 0
    assert result.lines.select("line_id", "product_text", "status").rows()[1:3] == [
        ("C-2", "Alvedon filmdragerad tablett 500 mg", "ended"),
        ("C-3", "Waran", "active"),
    ]
    assert result.lines["patient_id"][3] == OLLE


def test_a_quoted_cell_is_trimmed_too(tmp_path: Path) -> None:
    path = tmp_path / "cosmic.csv"
    text = csv_text(COSMIC_HEADER, [cosmic_row()]).replace(";C-1;", ';" C-1 ";')
    path.write_text(text, encoding="utf-8")
    assert load_export(path).lines["line_id"].to_list() == ["C-1"]

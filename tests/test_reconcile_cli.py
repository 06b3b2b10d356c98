"""``medrecon reconcile``: the JSON contract, the table view and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medrecon.cli import main
from medrecon.schema import KINDS, MECHANISMS, SEVERITIES

COSMIC_HEADER = (
    "Personnummer;Patient;Vårdenhet;OrdinationsID;Läkemedel;Substans;Styrka;Läkemedelsform;"
    "Administreringsväg;Dosering;Doseringstyp;Status;Ordinationstyp;Dosdispenserad;ATC"
)
PASCAL_HEADER = (
    "Personnummer;Namn;ReceptID;Förskrivet läkemedel;Verksamt ämne;Styrka;Läkemedelsform;"
    "Administreringssätt;Användning;Morgon;Middag;Kväll;Natt;Dispensering;Vid behov;ATC"
)
KARIN = "19400512-1233"
ERIK = "19350101-1112"

COSMIC_ROWS = [
    f"{KARIN};Andersson, Karin;Hemsjukvård Norr;C-1;Furix tablett 40 mg;Furosemid;40 mg;"
    "Tablett;Oral;1 tablett på morgonen;Stående;Aktiv;Recept;Ja;C03CA01",
    f"{KARIN};Andersson, Karin;Hemsjukvård Norr;C-2;Alvedon filmdragerad tablett 500 mg;"
    "Paracetamol;500 mg;Filmdragerad tablett;Oral;2 tabletter 3 gånger dagligen;Stående;Aktiv;"
    "Recept;Ja;N02BE01",
    f"{KARIN};Andersson, Karin;Hemsjukvård Norr;C-3;Metformin tablett 500 mg;Metformin;500 mg;"
    "Tablett;Oral;1 tablett 2 gånger dagligen;Stående;Aktiv;Recept;Ja;A10BA02",
    f"{ERIK};Berg, Erik;Hemsjukvård Syd;C-9;Enalapril tablett 10 mg;Enalapril;10 mg;Tablett;"
    "Oral;1 tablett på morgonen;Stående;Aktiv;Recept;Ja;C09AA02",
    "19400512-1234;Fel, Nummer;Hemsjukvård Syd;C-10;Enalapril tablett 10 mg;Enalapril;10 mg;"
    "Tablett;Oral;1 tablett på morgonen;Stående;Aktiv;Recept;Ja;C09AA02",
]
PASCAL_ROWS = [
    "194005121233;Karin Andersson;P-1;Furosemid Mylan tablett 40 mg;Furosemid;40 mg;Tablett;"
    "Oral;1 tablett morgon och middag;1;1;;;Dosdispenserad;Nej;C03CA01",
    "194005121233;Karin Andersson;P-2;Paracetamol Teva filmdragerad tablett 500 mg;Paracetamol;"
    "500 mg;Filmdragerad tablett;Oral;2 tabletter 3 gånger dagligen;2;2;2;;Dosdispenserad;Nej;"
    "N02BE01",
    "193501011112;Erik Berg;P-9;Enalapril Sandoz tablett 10 mg;Enalapril;10 mg;Tablett;Oral;"
    "1 tablett på morgonen;1;;;;Dosdispenserad;Nej;C09AA02",
]


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def exports(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write(tmp_path / "cosmic.csv", COSMIC_HEADER, COSMIC_ROWS),
        write(tmp_path / "pascal.csv", PASCAL_HEADER, PASCAL_ROWS),
    )


def check_contract(doc: dict[str, Any]) -> None:
    """Every required field of spec/discrepancies.md, with its type."""
    assert isinstance(doc["medrecon_version"], str)
    assert isinstance(doc["patients"], list)
    for patient in doc["patients"]:
        assert isinstance(patient["patient_id"], str) and len(patient["patient_id"]) == 12
        for match in patient["matches"]:
            assert all(isinstance(i, str) for i in match["cosmic_ids"] + match["pascal_ids"])
            assert match["substance"] is None or isinstance(match["substance"], str)
            assert match["atc"] is None or isinstance(match["atc"], str)
            assert match["mechanism"] in MECHANISMS
            assert isinstance(match["score"], float) and 0.0 <= match["score"] <= 1.0
        for finding in patient["discrepancies"]:
            assert isinstance(finding["id"], str) and len(finding["id"]) == 16
            int(finding["id"], 16)
            assert finding["kind"] in KINDS
            assert finding["severity"] in SEVERITIES
            assert finding["substance"] is None or isinstance(finding["substance"], str)
            assert finding["atc"] is None or isinstance(finding["atc"], str)
            assert isinstance(finding["cosmic_ids"], list) and isinstance(
                finding["pascal_ids"], list
            )
            assert all(isinstance(i, str) for i in finding["cosmic_ids"] + finding["pascal_ids"])
            assert isinstance(finding["explanation"], str) and finding["explanation"]
    for row in doc["rejected_rows"]:
        assert isinstance(row["file"], str)
        assert isinstance(row["line"], int)
        assert isinstance(row["reason"], str) and row["reason"]


def test_json_follows_the_contract(
    exports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic, pascal = exports
    assert main(["reconcile", str(cosmic), str(pascal), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    check_contract(doc)
    by_id = {p["patient_id"]: p for p in doc["patients"]}
    karin = by_id["194005121233"]
    kinds = sorted((f["kind"], f["cosmic_ids"], f["pascal_ids"]) for f in karin["discrepancies"])
    assert ("dose", ["C-1"], ["P-1"]) in kinds
    assert ("missing_in_pascal", ["C-3"], []) in kinds
    dose = next(f for f in karin["discrepancies"] if f["kind"] == "dose")
    assert dose["substance"] == "furosemid" and dose["severity"] == "high"
    assert "Cosmic 40 mg/dygn" in dose["explanation"] and "Pascal 80 mg/dygn" in dose["explanation"]
    erik = by_id["193501011112"]
    assert erik["discrepancies"] == []
    assert [m["mechanism"] for m in erik["matches"]] == ["atc"]
    assert [(r["file"], r["line"]) for r in doc["rejected_rows"]] == [("cosmic.csv", 6)]


def test_json_ids_are_stable_across_runs(
    exports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic, pascal = exports
    runs = []
    for _ in range(2):
        assert main(["reconcile", str(cosmic), str(pascal), "--format", "json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        runs.append(sorted(f["id"] for p in doc["patients"] for f in p["discrepancies"]))
    assert runs[0] == runs[1] and runs[0]


def test_no_findings_still_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cosmic = write(tmp_path / "c.csv", COSMIC_HEADER, [COSMIC_ROWS[3]])
    pascal = write(tmp_path / "p.csv", PASCAL_HEADER, [PASCAL_ROWS[2]])
    assert main(["reconcile", str(cosmic), str(pascal), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    check_contract(doc)
    assert [p["discrepancies"] for p in doc["patients"]] == [[]]
    assert doc["rejected_rows"] == []


def test_folders_are_read(
    exports: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic, pascal = exports
    (tmp_path / "c").mkdir()
    (tmp_path / "p").mkdir()
    cosmic.rename(tmp_path / "c" / "cosmic.csv")
    pascal.rename(tmp_path / "p" / "pascal.csv")
    assert main(["reconcile", str(tmp_path / "c"), str(tmp_path / "p"), "--format", "json"]) == 0
    check_contract(json.loads(capsys.readouterr().out))


def test_table_view_in_swedish(
    exports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic, pascal = exports
    assert main(["reconcile", str(cosmic), str(pascal)]) == 0
    out = capsys.readouterr().out
    for text in ("Olika dos", "Saknas i Pascal", "Hög", "Sammanfattning", "kunde inte läsas in"):
        assert text in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    "problem",
    ["missing file", "missing required column", "empty file", "pascal file as cosmic"],
)
def test_unusable_input_exits_2_without_traceback(
    problem: str, exports: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic, pascal = exports
    if problem == "missing file":
        cosmic = tmp_path / "finns-inte.csv"
    elif problem == "missing required column":
        cosmic = write(tmp_path / "bad.csv", "Personnummer;Patient", [f"{KARIN};Andersson, Karin"])
    elif problem == "empty file":
        cosmic = tmp_path / "empty.csv"
        cosmic.write_text("", encoding="utf-8")
    else:
        cosmic = pascal
    code = main(["reconcile", str(cosmic), str(pascal), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("medrecon: ")
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("empty_side", ["cosmic", "pascal"])
def test_an_empty_export_beside_a_full_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], empty_side: str
) -> None:
    """A failed export job must not turn every patient into a 'patient_missing' finding."""
    cosmic = write(
        tmp_path / "cosmic.csv", COSMIC_HEADER, [] if empty_side == "cosmic" else COSMIC_ROWS
    )
    pascal = write(
        tmp_path / "pascal.csv", PASCAL_HEADER, [] if empty_side == "pascal" else PASCAL_ROWS
    )
    assert main(["reconcile", str(cosmic), str(pascal), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    label = "Cosmic" if empty_side == "cosmic" else "Pascal"
    assert f"{label}-exporten ({empty_side}.csv) innehåller inga rader" in err


def test_two_empty_exports_reconcile_to_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic = write(tmp_path / "cosmic.csv", COSMIC_HEADER, [])
    pascal = write(tmp_path / "pascal.csv", PASCAL_HEADER, [])
    assert main(["reconcile", str(cosmic), str(pascal), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["patients"] == []


# --- --as-of: the reference date of a run ----------------------------------------------------

ENDING_COSMIC = [
    f"{ERIK};Berg, Erik;Hemsjukvård Syd;C-9;Enalapril tablett 10 mg;Enalapril;10 mg;Tablett;"
    "Oral;1 tablett på morgonen;Stående;Aktiv;Recept;Ja;C09AA02;2026-11-15",
]


@pytest.mark.parametrize(
    ("as_of", "kinds"), [("2026-11-01", []), ("2026-11-15", ["ended_in_cosmic"])]
)
def test_as_of_decides_whether_a_passed_end_date_ends_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_of: str, kinds: list[str]
) -> None:
    cosmic = write(tmp_path / "c.csv", COSMIC_HEADER + ";Utsättningsdatum", ENDING_COSMIC)
    pascal = write(tmp_path / "p.csv", PASCAL_HEADER, PASCAL_ROWS[2:])
    args = ["reconcile", str(cosmic), str(pascal), "--format", "json", "--as-of", as_of]
    assert main(args) == 0
    (erik,) = json.loads(capsys.readouterr().out)["patients"]
    assert [f["kind"] for f in erik["discrepancies"]] == kinds


@pytest.mark.parametrize("command", ["reconcile", "batch", "tui"])
def test_a_bad_as_of_date_is_refused_in_swedish(
    exports: tuple[Path, Path], capsys: pytest.CaptureFixture[str], command: str
) -> None:
    cosmic, pascal = exports
    args = [command, str(cosmic), str(pascal), "--as-of", "30/11/2026"]
    if command == "batch":
        args = ["batch", "--cosmic", str(cosmic), "--pascal", str(pascal), "--as-of", "30/11"]
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "är inget datum; skriv ÅÅÅÅ-MM-DD" in err
    assert "Traceback" not in err

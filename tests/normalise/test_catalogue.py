"""The substance catalogue in rules/: size, consistency, and a region's local additions."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from medrecon.errors import MedreconError
from medrecon.normalise.catalogue import LOCAL_RULES_ENV, load_catalogue
from medrecon.normalise.rule_tables import normalise_atc
from medrecon.normalise.substances import resolve_text
from medrecon.rules_path import rules_dir


def _rows(name: str) -> list[dict[str, str]]:
    with open(rules_dir() / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def test_catalogue_covers_at_least_250_substances_with_atc() -> None:
    rows = _rows("substances.csv")
    with_atc = [r for r in rows if r["atc"]]
    assert len(with_atc) >= 250
    for row in rows:
        assert row["substans"] == row["substans"].strip().lower(), row["substans"]
        if row["atc"]:
            assert normalise_atc(row["atc"]) == row["atc"] and len(row["atc"]) == 7, row


def test_combinations_name_known_substances() -> None:
    catalogue = load_catalogue()
    for row in _rows("combinations.csv"):
        components = row["komponenter"].split("|")
        assert len(components) >= 2
        assert set(components) <= set(catalogue.substance_atc), row


def test_brief_brands_resolve() -> None:
    catalogue = load_catalogue()
    expected = {
        "Madopark": "benserazid + levodopa",
        "Sinemet": "karbidopa + levodopa",
        "Stalevo": "entakapon + karbidopa + levodopa",
        "Symbicort": "budesonid + formoterol",
        "Calcichew-D3": "kalciumkarbonat + kolekalciferol",
        "Kalcipos-D": "kalciumkarbonat + kolekalciferol",
        "Targiniq": "naloxon + oxikodon",
        "Citodon": "kodein + paracetamol",
        "Janumet": "metformin + sitagliptin",
        "Seretide": "flutikason + salmeterol",
        "Enalapril comp": "enalapril + hydroklortiazid",
        "Levaxin": "levotyroxin",
        "Waran": "warfarin",
        "Kajos": "kaliumcitrat",
        "Lithionit": "litium",
        "Furix": "furosemid",
    }
    for text, substance in expected.items():
        assert " + ".join(resolve_text(text, catalogue).substances) == substance, text


def test_ambiguous_atc_codes_do_not_resolve_alone() -> None:
    catalogue = load_catalogue()
    # Madopark and Sinemet share N04BA02: the ATC code alone cannot say which
    assert "N04BA02" not in catalogue.atc_index
    assert catalogue.atc_index["N02BE01"] == ("paracetamol",)
    # a combination's own code (Movicol)
    assert catalogue.atc_index["A06AD65"] == (
        "kaliumklorid",
        "makrogol",
        "natriumklorid",
        "natriumvätekarbonat",
    )
    assert catalogue.atc_index["R01AD09"] == ("mometason",)  # an extra ATC of a substance


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_local_file_adds_brands_without_code(tmp_path: Path) -> None:
    local = _write(
        tmp_path / "lokala.csv",
        "substans;atc;övriga_atc;salter_och_estrar;handelsnamn;stavningar\n"
        "paracetamol;;;;Värmlandsvärk;\n"
        "testosteron;G03BA03;;testosteronundekanoat;Nebido;\n",
    )
    assert resolve_text("Värmlandsvärk 500 mg", load_catalogue()).method == "unresolved"
    catalogue = load_catalogue(local_files=[local])
    found = resolve_text("Värmlandsvärk 500 mg", catalogue)
    assert found.substances == ("paracetamol",) and found.method == "brand"
    assert resolve_text("Nebido 1000 mg/4 ml", catalogue).substances == ("testosteron",)
    assert catalogue.atc_for(("testosteron",)) == "G03BA03"


def test_local_combination_file_saved_by_excel(tmp_path: Path) -> None:
    local = _write(
        tmp_path / "kombinationer.csv",
        "handelsnamn;komponenter;atc;kommentar\nTrippelvärk;kodein|paracetamol;N02AJ06;lokal\n",
        encoding="cp1252",
    )
    catalogue = load_catalogue(local_files=[local])
    assert resolve_text("Trippelvärk", catalogue).substances == ("kodein", "paracetamol")


def test_local_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = _write(tmp_path / "lokal.csv", "substans;handelsnamn\nwarfarin;Waran Värmland\n")
    monkeypatch.setenv(LOCAL_RULES_ENV, str(local))
    found = resolve_text("Waran Värmland 2,5 mg", load_catalogue())
    assert found.substances == ("warfarin",)


def test_local_file_contradicting_the_catalogue_is_refused(tmp_path: Path) -> None:
    local = _write(tmp_path / "fel.csv", "substans;handelsnamn\nwarfarin;Alvedon\n")
    with pytest.raises(MedreconError) as info:
        load_catalogue(local_files=[local])
    assert "Alvedon" in info.value.message and "paracetamol" in info.value.message


def test_missing_local_file_is_a_swedish_error(tmp_path: Path) -> None:
    with pytest.raises(MedreconError, match="finns inte"):
        load_catalogue(local_files=[tmp_path / "saknas.csv"])


def test_bad_atc_in_local_file_names_the_line(tmp_path: Path) -> None:
    local = _write(tmp_path / "fel.csv", "substans;atc\nnysubstans;XYZ\n")
    with pytest.raises(MedreconError, match="rad 2"):
        load_catalogue(local_files=[local])

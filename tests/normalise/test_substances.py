"""Substance resolution: exact names first, similarity only above threshold and margin."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from medrecon.normalise.catalogue import load_catalogue
from medrecon.normalise.substances import (
    COLUMN_PRODUCT,
    COLUMN_SUBSTANCE,
    fuzzy_lookup,
    resolve_text,
    resolve_texts,
)


def test_substance_column_with_salts_and_combinations() -> None:
    catalogue = load_catalogue()
    texts = [
        "Metoprololsuccinat",
        "Levodopa + Benserazid",
        "Enalapril/Hydroklortiazid",
        "Kalciumkarbonat, Kolekalciferol",
        "Alendronsyra",
        "natriumalendronat",
    ]
    found = resolve_texts(texts, catalogue, COLUMN_SUBSTANCE)
    assert found["Metoprololsuccinat"].substances == ("metoprolol",)
    assert found["Levodopa + Benserazid"].substances == ("benserazid", "levodopa")
    assert found["Enalapril/Hydroklortiazid"].substances == ("enalapril", "hydroklortiazid")
    assert found["Kalciumkarbonat, Kolekalciferol"].method == "substance"
    assert found["natriumalendronat"].substances == ("alendronsyra",)


def test_every_part_must_be_recognised() -> None:
    catalogue = load_catalogue()
    assert resolve_text("Levodopa + Okänt", catalogue, COLUMN_SUBSTANCE).method == "unresolved"
    assert resolve_text("Paracetamol/Trolldryck 500 mg", catalogue).method == "unresolved"


def test_misspellings_above_threshold_resolve_as_fuzzy() -> None:
    catalogue = load_catalogue()
    for text, substance in [
        ("Simvastatinn", "simvastatin"),
        ("Metoprolo", "metoprolol"),
        ("Alvedonn", "paracetamol"),
        ("Predisolon", "prednisolon"),
    ]:
        found = resolve_text(text, catalogue)
        assert found.substances == (substance,) and found.method == "fuzzy", text
        assert 0.88 <= (found.score or 0) < 1.0


def test_short_or_distant_words_stay_unresolved() -> None:
    catalogue = load_catalogue()
    for text in ["Losek", "Tablett", "Paracet", "Medicin", "Kaffe", "Simva"]:
        assert resolve_text(text, catalogue).method == "unresolved", text


def test_fuzzy_needs_a_margin_over_other_substances(tmp_path: Path) -> None:
    local = tmp_path / "lokal.csv"
    local.write_text("substans;handelsnamn\nparacetamol;Abcdefghij\nwarfarin;Abcdefghik\n")
    catalogue = load_catalogue(local_files=[local])
    # as close to a paracetamol brand as to a warfarin brand: never chosen
    assert fuzzy_lookup(["abcdefghix"], catalogue) == {}
    assert resolve_text("Abcdefghix 5 mg", catalogue).method == "unresolved"
    # clearly closest to one of them: chosen, and marked fuzzy
    name, substances, score = fuzzy_lookup(["abcdefghijj"], catalogue)["abcdefghijj"]
    assert (name, substances) == ("abcdefghij", ("paracetamol",)) and score >= 88


def test_longest_name_wins() -> None:
    catalogue = load_catalogue()
    assert resolve_text("Enalapril comp 20 mg/12,5 mg", catalogue).substances == (
        "enalapril",
        "hydroklortiazid",
    )
    assert resolve_text("Humalog Mix25 KwikPen", catalogue).substances == ("insulin lispro",)
    assert resolve_text("Humalog KwikPen", catalogue).substances == ("insulin lispro",)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_resolution_never_raises(text: str) -> None:
    catalogue = load_catalogue()
    for column in (COLUMN_PRODUCT, COLUMN_SUBSTANCE):
        found = resolve_text(text, catalogue, column)
        assert (found.method == "unresolved") == (found.substances == ())
        assert list(found.substances) == sorted(found.substances)

"""Problems found by QA (round 1), each as the behaviour a pharmacist sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from medrecon.cli import main
from medrecon.errors import MedreconError
from medrecon.normalise.catalogue import build_catalogue, load_catalogue
from medrecon.normalise.pipeline import read_product_text, resolve_lines
from medrecon.normalise.strength import components_of, parse_strength
from medrecon.rules_path import rules_dir
from medrecon.schema import CANONICAL_SCHEMA


def one(**row: Any) -> dict[str, Any]:
    full = {**dict.fromkeys(CANONICAL_SCHEMA), **row}
    return resolve_lines(pl.DataFrame([full], schema=CANONICAL_SCHEMA)).to_dicts()[0]


def explain(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["explain", *args]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    return out.out


# --- 1. combination strengths are paired with their own component -----------------------------


def test_strength_values_follow_the_substances() -> None:
    row = read_product_text("Citodon 500 mg/30 mg tablett")
    assert row["substances"] == ["kodein", "paracetamol"]
    assert row["strength_values"] == [30.0, 500.0]
    # the daily amount stays the product's first-written component's (paracetamol)
    assert row["strength_value"] == 500.0


def test_three_components_in_their_own_order() -> None:
    row = read_product_text("Stalevo 100 mg/25 mg/200 mg filmdragerad tablett")
    pairs = dict(zip(row["substances"], row["strength_values"], strict=True))
    assert pairs == {"levodopa": 100.0, "karbidopa": 25.0, "entakapon": 200.0}


def test_every_combination_lists_its_components_in_strength_order() -> None:
    order = load_catalogue().component_order
    assert order[("kodein", "paracetamol")] == ("paracetamol", "kodein")
    assert order[("benserazid", "levodopa")] == ("levodopa", "benserazid")
    assert order[("flutikason", "salmeterol")] == ("salmeterol", "flutikason")
    assert order[("metformin", "sitagliptin")] == ("sitagliptin", "metformin")
    assert order[("naloxon", "oxikodon")] == ("oxikodon", "naloxon")


def test_rows_that_disagree_on_the_order_leave_it_unknown(tmp_path: Path) -> None:
    local = tmp_path / "lokal.csv"
    local.write_text("handelsnamn;komponenter;atc\nKodacet;kodein|paracetamol;\n", "utf-8")
    catalogue = build_catalogue(rules_dir(), [local])
    assert ("kodein", "paracetamol") not in catalogue.component_order
    row = read_product_text("Citodon 500 mg/30 mg", catalogue)
    assert row["strength_values"] == [500.0, 30.0]  # as written: not paired, not guessed


def test_a_count_that_does_not_match_is_not_paired() -> None:
    strength = parse_strength("100 E/ml")
    assert components_of(strength, ("humaninsulin", "isofaninsulin")) is None
    assert components_of(parse_strength("500 mg/30 mg"), ("paracetamol", "kodein")) == [
        ("paracetamol", 500.0, "mg"),
        ("kodein", 30.0, "mg"),
    ]


def test_a_combination_without_two_components_is_refused(tmp_path: Path) -> None:
    local = tmp_path / "lokal.csv"
    local.write_text("handelsnamn;komponenter;atc\nEnsam;kodein|kodein;\n", "utf-8")
    with pytest.raises(MedreconError):
        build_catalogue(rules_dir(), [local])


def test_explain_shows_each_component_with_its_strength(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = explain(capsys, "--kind", "product", "Citodon 500 mg/30 mg")
    assert "Styrka:            paracetamol 500 mg + kodein 30 mg" in out
    out = explain(capsys, "--kind", "product", "Calcichew-D3 500 mg/400 IE tuggtablett")
    assert "kalciumkarbonat 500 mg + kolekalciferol 400 E" in out
    out = explain(capsys, "--kind", "product", "Seretide Diskus 50 mikrogram/500 mikrogram/dos")
    assert "salmeterol 50 µg/dos + flutikason 500 µg/dos" in out


# --- 2. steps and durations are no standing dose -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("1 tablett 2 gånger dagligen i 10 dagar, därefter 1 tablett dagligen", "stegvis dosering"),
        ("2 tabletter dagligen i 3 dagar, sedan 1 tablett dagligen", "stegvis dosering"),
    ],
)
def test_steps_are_not_compared_as_a_standing_dose(text: str, marker: str) -> None:
    row = one(product_text="Alvedon 500 mg tablett", dosing_text=text)
    assert row["dose_understood"] is False and row["dose_marker"] == marker
    assert row["daily_units"] is None and row["daily_amount"] is None
    assert row["times_per_day"] is None


def test_a_course_is_compared_as_its_dose_and_keeps_its_length() -> None:
    # "1x2 i 7 dagar" gives 2 a day while it lasts: the same dose as "1x2"; the length is
    # kept for the explanation (the clinical corpus labels courses as standing doses)
    row = one(product_text="Alvedon 500 mg tablett", dosing_text="1x2 i 7 dagar")
    assert row["dose_understood"] and row["daily_amount"] == 1000
    assert row["dose_course_days"] == 7
    row = one(dosing_text="1 tablett morgon och kväll i 5 dagar", dose_morning=1.0, dose_evening=1)
    assert row["dose_understood"] and row["daily_units"] == 2 and not row["dose_text_conflict"]


def test_a_standing_dose_is_still_understood() -> None:
    row = one(product_text="Alvedon 500 mg tablett", dosing_text="1 tablett 2 gånger dagligen")
    assert row["dose_understood"] and row["daily_amount"] == 1000


def test_explain_shows_steps_and_duration(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(
        capsys,
        "--kind",
        "dosing",
        "1 tablett 2 gånger dagligen i 10 dagar, därefter 1 tablett dagligen",
    )
    assert "Stegvis dosering – ingen fast dos att jämföra" in out
    assert "Steg 1:            1 tablett 2 gånger per dag i 10 dagar" in out
    assert "Steg 2:            1 tablett 1 gång per dag" in out
    out = explain(capsys, "--kind", "dosing", "1x2 i 7 dagar")
    assert "Kurens längd:      7 dagar" in out and "Gånger per dag:    2" in out
    out = explain(capsys, "1x2 i 7 dagar")  # auto: shown as a dosing text
    assert "Kurens längd" in out and "varken" not in out


# --- 3. standing + as needed in one text ---------------------------------------------------------


def test_standing_and_as_needed_in_one_text_is_not_understood() -> None:
    row = one(dosing_text="1 tablett på morgonen samt 1 tablett till natten vid behov")
    assert row["dose_understood"] is False and row["dose_marker"] == "stående och vid behov"
    assert row["daily_units"] is None and row["max_per_day"] is None


# --- 4. product words that name the form ---------------------------------------------------------


def test_depot_in_the_product_refines_a_plain_form_column() -> None:
    row = one(product_text="Madopark Depot 100 mg/25 mg", form_text="Kapsel")
    assert row["form_class"] == "modified_release"
    row = one(product_text="Madopark Depot 100 mg/25 mg", form_text="Injektionsvätska")
    assert row["form_class"] == "injection"  # a different form is a real difference, kept


# --- 5. explain --strength with unit-less shorthand ----------------------------------------------


def test_explain_counts_unitless_amounts_as_pieces_with_a_strength(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = explain(capsys, "--kind", "dosing", "--strength", "500 mg", "1x2")
    assert "Dygnsdos:          1 g" in out
    assert "räknas som styck" in out
    out = explain(capsys, "--kind", "dosing", "1x2")
    assert "kan inte räknas" in out and "styck" not in out


# --- 7. numbers a Swedish reader can read --------------------------------------------------------


def test_explain_numbers_units_and_plurals(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(
        capsys,
        "--kind",
        "dosing",
        "--product",
        "Levaxin 75 mikrogram tablett",
        "1 tablett på morgonen, 2 tabletter på kvällen",
    )
    assert "Dos per tillfälle: 1 tablett på morgonen, 2 på kvällen" in out
    assert "Per dygn:          3 tabletter" in out
    assert "Dygnsdos:          225 µg" in out
    out = explain(
        capsys, "--kind", "dosing", "--product", "Alvedon 500 mg tablett", "4 tabletter i veckan"
    )
    assert "Per dygn:          0,571 tablett" in out and "Dygnsdos:          286 mg" in out
    out = explain(capsys, "--kind", "product", "Norspan 10 mikrogram/timme depotplåster")
    assert "Styrka:            10 µg/timme" in out


# --- 8. alternative ATC codes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("atc", "substance"),
    [
        ("L01BA01", "metotrexat"),
        ("L04AX03", "metotrexat"),
        ("A06AD15", "makrogol"),
        ("A06AD65", "kaliumklorid + makrogol + natriumklorid + natriumvätekarbonat"),
    ],
)
def test_both_atc_codes_resolve(atc: str, substance: str) -> None:
    row = one(atc=atc, product_text="Okänd produkt")
    assert row["substance"] == substance and row["resolution"] == "atc"
    assert row["resolved_atc"] == atc

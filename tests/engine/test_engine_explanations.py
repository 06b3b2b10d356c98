"""Dose ranges, and the Swedish a nurse reads in explanations (QA report, round 1)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from engine_builders import TODAY, c, p, rules, run
from kind_cases import KindCase, load_cases, write_exports

from medrecon.engine import reconcile, reconcile_files
from medrecon.schema import CANONICAL_SCHEMA
from medrecon.swedish import counted, number

KIND_CASES = [case for case in load_cases() if not case.mirrored]


def ranged(line: dict[str, Any], low: float, high: float) -> dict[str, Any]:
    """``line`` with its per-administration amount a range (daily units are the max's)."""
    share = low / high
    out = {**line, "dose_amount_min": low, "dose_amount_max": high}
    for name in ("daily_units", "daily_amount"):
        if line[name] is not None:
            out[name + "_min"] = line[name] * share
    if line["strength_value"] is not None:
        out["dose_amount"] = line["strength_value"] * high
        out["dose_amount_low"] = line["strength_value"] * low
    return out


def explanations(result: Any) -> list[str]:
    return list(result.findings["explanation"])


def only_explanation(result: Any, kind: str) -> str:
    found = result.findings.filter(pl.col("kind") == kind)["explanation"].to_list()
    assert len(found) == 1, result.findings.select("kind", "explanation")
    return str(found[0])


# --- 1. standing dose ranges ------------------------------------------------------------


def test_a_range_against_its_maximum_is_a_dose_finding() -> None:
    # 1-2 tabletter 3 gånger dagligen (3-6 a day) vs 2 tabletter 3 gånger dagligen (6).
    cosmic = ranged(c("C1", "paracetamol", strength=500, units_per_day=6, slots=(None,) * 4), 1, 2)
    cosmic["dosing_text"] = "1-2 tabletter 3 gånger dagligen"
    pascal = p("P1", "paracetamol", strength=500, units_per_day=6, slots=(None,) * 4)
    pascal["dose_amount_min"] = pascal["dose_amount_max"] = 2.0
    pascal["dosing_text"] = "2 tabletter 3 gånger dagligen"
    text = only_explanation(run([cosmic], [pascal]), "dose")
    assert text == (
        "Paracetamol: Cosmic 1,5–3 g/dygn (1-2 tabletter 3 gånger dagligen), "
        "Pascal 3 g/dygn (2 tabletter 3 gånger dagligen)."
    )


def test_a_range_without_strength_is_shown_in_tablets() -> None:
    cosmic = ranged(c("C1", "laktulos", strength=None, units_per_day=6, slots=(None,) * 4), 1, 2)
    pascal = p("P1", "laktulos", strength=None, units_per_day=6, slots=(None,) * 4)
    text = only_explanation(run([cosmic], [pascal]), "dose")
    assert "Cosmic 3–6 tabletter/dygn" in text
    assert "Pascal 6 tabletter/dygn" in text


def test_the_same_range_on_both_sides_agrees() -> None:
    cosmic = ranged(c("C1", "paracetamol", units_per_day=6, slots=(None,) * 4), 1, 2)
    pascal = ranged(p("P1", "paracetamol", units_per_day=6, slots=(None,) * 4), 1, 2)
    assert run([cosmic], [pascal]).findings.height == 0


def test_different_ranges_with_the_same_maximum_differ() -> None:
    cosmic = ranged(c("C1", "paracetamol", units_per_day=6, slots=(None,) * 4), 1, 2)
    pascal = ranged(p("P1", "paracetamol", units_per_day=6, slots=(None,) * 4), 1.5, 2)
    assert run([cosmic], [pascal]).findings["kind"].to_list() == ["dose"]


def test_different_amounts_at_different_times_are_no_range() -> None:
    # "1 tablett morgon och 2 på kvällen": min 1, max 2 per administration, 3 a day.
    cosmic = ranged(c("C1", "metformin", units_per_day=3, slots=(1, 0, 2, 0)), 1, 2)
    pascal = ranged(p("P1", "metformin", units_per_day=3, slots=(1, 0, 2, 0)), 1, 2)
    assert run([cosmic], [pascal]).findings.height == 0


def test_the_reported_texts_through_the_normaliser() -> None:
    def row(source: str, line_id: str, dosing: str, name: str) -> dict[str, Any]:
        values: dict[str, Any] = dict.fromkeys(CANONICAL_SCHEMA)
        values.update(
            source=source,
            patient_id="194005121234",
            patient_name=name,
            line_id=line_id,
            product_text="Alvedon 500 mg",
            substance_text="Paracetamol",
            strength_text="500 mg",
            form_text="Tablett",
            route_text="Oral",
            dosing_text=dosing,
            status="active",
            order_type="prescription",
            as_needed=False,
        )
        return values

    cosmic = pl.DataFrame(
        [row("cosmic", "C1", "1-2 tabletter 3 gånger dagligen", "Test, Testa")],
        schema=CANONICAL_SCHEMA,
    )
    pascal = pl.DataFrame(
        [row("pascal", "P1", "2 tabletter 3 gånger dagligen", "Testa Test")],
        schema=CANONICAL_SCHEMA,
    )
    result = reconcile(cosmic, pascal, rules=rules(), as_of=TODAY)
    assert result.findings["kind"].to_list() == ["dose"]
    assert "Cosmic 1,5–3 g/dygn" in result.findings["explanation"][0]


# --- 2. no internal codes in explanations -------------------------------------------------


def test_form_and_route_codes_are_shown_in_swedish() -> None:
    cosmic = c("C1", "metoprolol", form="modified_release", route="oral")
    cosmic["form_text"] = cosmic["route_text"] = None
    pascal = p("P1", "metoprolol", form="plain_oral_solid", route="subcutaneous")
    pascal["route_text"] = None
    result = run([cosmic], [pascal])
    assert only_explanation(result, "form") == (
        "Metoprolol: olika beredningsform – Cosmic depotberedning (förlängd frisättning), "
        "Pascal Tablett."
    )
    assert only_explanation(result, "route") == (
        "Metoprolol: olika administreringsväg – Cosmic oral (via munnen), Pascal subkutan."
    )


def test_the_exported_form_text_comes_with_the_class_it_was_judged_by() -> None:
    cosmic = c("C1", "metoprolol", form="modified_release")
    cosmic["form_text"] = "Depottablett"
    pascal = p("P1", "metoprolol", form="plain_oral_solid")
    text = only_explanation(run([cosmic], [pascal]), "form")
    assert text == "Metoprolol: olika beredningsform – Cosmic Depottablett (depotberedning), " + (
        "Pascal Tablett."
    )


CODE_WORD = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:prn|subcutaneous|intravenous|package|dose)\b")


@pytest.mark.parametrize("case", KIND_CASES, ids=[case.id for case in KIND_CASES])
def test_no_explanation_or_hint_shows_an_internal_code(case: KindCase, tmp_path: Path) -> None:
    cosmic, pascal = write_exports(case, tmp_path)
    result = reconcile_files(cosmic, pascal, rules=rules(), as_of=case.as_of)
    for text in [*explanations(result), *result.findings["hint"].drop_nulls().to_list()]:
        assert not CODE_WORD.search(text), text


def test_a_line_without_form_and_route_text_is_explained_with_labels() -> None:
    cosmic = {**c("C1", "metoprolol", form="modified_release"), "form_text": None}
    pascal = {**p("P1", "metoprolol", form="plain_oral_solid", route="subcutaneous")}
    pascal["form_text"] = pascal["route_text"] = None
    texts = explanations(run([cosmic], [pascal]))
    assert texts and all(not CODE_WORD.search(text) for text in texts), texts


# --- 3. paused is not ended --------------------------------------------------------------


def test_a_paused_cosmic_line_is_called_paused() -> None:
    result = run([c("C1", "sertralin", status="paused")], [p("P1", "sertralin")])
    text = only_explanation(result, "ended_in_cosmic")
    assert text.startswith("Sertralin: pausad i Cosmic men fortfarande aktiv i Pascal")


def test_an_ended_cosmic_line_is_still_called_ended() -> None:
    ended = c("C1", "sertralin", status="ended", end_date=dt.date(2025, 12, 1))
    text = only_explanation(run([ended], [p("P1", "sertralin")]), "ended_in_cosmic")
    assert text.startswith("Sertralin: utsatt i Cosmic 2025-12-01 men fortfarande aktiv")


# --- 4. combinations name each component's daily amount --------------------------------


def test_combination_dose_names_the_daily_amount_per_component() -> None:
    citodon = c(
        "C1",
        "kodein + paracetamol",
        strength=30,
        strength_values=[30.0, 500.0],
        units_per_day=6,
        product="Citodon 500 mg/30 mg",
        dosing_text="2 tabletter 3 gånger dagligen",
    )
    alvedon = p("P1", "paracetamol", strength=500, units_per_day=6, product="Alvedon 500 mg")
    kodein = p("P2", "kodein", strength=25, units_per_day=3, product="Kodein 25 mg")
    result = run([citodon], [alvedon, kodein])
    assert result.matches["mechanism"].to_list() == ["combination"]
    text = only_explanation(result, "dose")
    assert text.startswith(
        "Kodein + paracetamol: olika dygnsdos per substans – "
        "kodein: Cosmic 180 mg/dygn, Pascal 75 mg/dygn; paracetamol: 3 g/dygn på båda. "
        "Cosmic: Citodon 500 mg/30 mg · 2 tabletter 3 gånger dagligen. Pascal: "
    )


def test_combination_with_equal_totals_names_them_in_the_strength_finding() -> None:
    combo = c(
        "C1",
        "enalapril + hydroklortiazid",
        strength=20,
        strength_values=[20.0, 12.5],
        units_per_day=1,
    )
    result = run(
        [combo],
        [
            p("P1", "enalapril", strength=20, units_per_day=1),
            p("P2", "hydroklortiazid", strength=12.5, units_per_day=1),
        ],
    )
    text = only_explanation(result, "strength")
    assert "(enalapril: 20 mg/dygn på båda; hydroklortiazid: 12,5 mg/dygn på båda)" in text


# --- 5. numbers, micrograms, plurals -------------------------------------------------------


def test_micrograms_when_the_strength_was_given_in_micrograms() -> None:
    cosmic = c("C1", "cyanokobalamin", strength=0.5, units_per_day=2)
    cosmic["strength_text"] = "500 mikrogram"
    pascal = p("P1", "cyanokobalamin", strength=0.5, units_per_day=1)
    pascal["strength_text"] = "500 µg"
    text = only_explanation(run([cosmic], [pascal]), "dose")
    assert "Cosmic 1 mg/dygn" in text and "Pascal 500 µg/dygn" in text


def test_milligrams_below_one_stay_milligrams_when_given_so() -> None:
    cosmic = c("C1", "digoxin", strength=0.125, units_per_day=1)
    pascal = p("P1", "digoxin", strength=0.125, units_per_day=2)
    text = only_explanation(run([cosmic], [pascal]), "dose")
    assert "Cosmic 0,125 mg/dygn" in text and "Pascal 0,25 mg/dygn" in text


def test_as_needed_maximum_in_tablets_is_plural_only_above_one() -> None:
    cosmic = c("C1", "oxazepam", strength=None, prn=True, max_per_day=1)
    pascal = p("P1", "oxazepam", strength=None, prn=True, max_per_day=3)
    text = only_explanation(run([cosmic], [pascal]), "dose")
    assert "Cosmic högst 1 tablett/dygn" in text
    assert "Pascal högst 3 tabletter/dygn" in text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1500.0, "1500"),
        (2.0 / 3.0, "0,667"),
        (8.0 / 3.0, "2,67"),
        (0.0625, "0,0625"),
        (12.5, "12,5"),
        (0.0, "0"),
    ],
)
def test_numbers_have_a_decimal_comma_and_few_decimals(value: float, text: str) -> None:
    assert pl.select(number(pl.lit(value)))[0, 0] == text


def test_counted_units() -> None:
    frame = pl.DataFrame({"lo": [None, None, 3.0, 0.5], "hi": [1.0, 2.0, 6.0, 0.5]})
    got = frame.select(counted(pl.col("lo"), pl.col("hi"), pl.lit("kapsel")))[:, 0].to_list()
    assert got == ["1 kapsel", "2 kapslar", "3–6 kapslar", "0,5 kapsel"]


def test_one_active_line_is_singular() -> None:
    result = run([], [p("P1", "metformin")])
    assert explanations(result) == ["Patienten har 1 aktiv rad i Pascal men finns inte i Cosmic."]


# --- 6. dosing texts quoted as exported -------------------------------------------------


def test_needs_review_quotes_the_dosing_texts_verbatim() -> None:
    cosmic = c("C1", "warfarin", understood=False, dosing_text="  Enligt Läkarens ordination ")
    pascal = p("P1", "warfarin", understood=False, dosing_text="Doseras individuellt enligt INR")
    text = only_explanation(run([cosmic], [pascal]), "needs_review")
    assert "Cosmic ”Enligt Läkarens ordination”, Pascal ”Doseras individuellt enligt INR”" in text


# --- 7. one form of the patient's name ----------------------------------------------------


def test_a_pascal_only_name_is_written_surname_first() -> None:
    pascal = {**p("P1", "metformin"), "patient_name": " Karin  Maria Andersson "}
    result = run([], [pascal])
    assert result.patients["patient_name"].to_list() == ["Andersson, Karin Maria"]


def test_cosmic_name_wins_and_odd_pascal_names_are_kept() -> None:
    cosmic = {**c("C1", "metformin"), "patient_name": "Berg, Erik"}
    other = "199001011239"
    one_word = {**p("P1", "metformin", patient=other), "patient_name": "Erik"}
    result = run([cosmic], [{**p("P2", "metformin"), "patient_name": "Erik Berg"}, one_word])
    assert result.patients.select("patient_id", "patient_name").rows() == [
        ("194005121234", "Berg, Erik"),
        (other, "Erik"),
    ]


# --- 8. patient_missing in JSON keeps both keys -------------------------------------------


def test_json_of_patient_missing_has_substance_and_atc_null() -> None:
    from medrecon.commands.reconcile import to_json

    doc = json.loads(to_json(run([], [p("P1", "metformin")])))
    (finding,) = doc["patients"][0]["discrepancies"]
    assert finding["kind"] == "patient_missing"
    assert "substance" in finding and finding["substance"] is None
    assert "atc" in finding and finding["atc"] is None

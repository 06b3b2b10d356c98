"""resolve_lines: schema, dose columns, daily amount, Pascal time columns, properties."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medrecon.normalise import pipeline
from medrecon.normalise.dose_model import DoseReading
from medrecon.normalise.pipeline import resolve_lines
from medrecon.schema import CANONICAL_SCHEMA, RESOLVED_EXTRA_SCHEMA

# A stand-in for the dosing parser: the tests below check the pipeline's own logic
# (joining, time columns, conflicts, daily amount), whatever the real parser says.
STAND_IN: dict[str, DoseReading] = {
    "2 tabl x 3": DoseReading(
        "2 tabl x 3",
        True,
        amount_min=2,
        amount_max=2,
        unit="tablett",
        times_per_day=3,
        interval_days=1,
        daily_units=6,
    ),
    "1 morgon 1 kväll": DoseReading(
        "1 morgon 1 kväll",
        True,
        amount_min=1,
        amount_max=1,
        unit="tablett",
        times_per_day=2,
        slots=(1, None, 1, None),
        interval_days=1,
        daily_units=2,
    ),
    "500 mg x 2": DoseReading(
        "500 mg x 2",
        True,
        amount_min=500,
        amount_max=500,
        unit="mg",
        times_per_day=2,
        interval_days=1,
        daily_units=1000,
    ),
    "1 g x 2": DoseReading(
        "1 g x 2",
        True,
        amount_min=1,
        amount_max=1,
        unit="g",
        times_per_day=2,
        interval_days=1,
        daily_units=2,
    ),
    "10 E": DoseReading(
        "10 E",
        True,
        amount_min=10,
        amount_max=10,
        unit="E",
        times_per_day=1,
        interval_days=1,
        daily_units=10,
    ),
    "5 ml x 2": DoseReading(
        "5 ml x 2",
        True,
        amount_min=5,
        amount_max=5,
        unit="ml",
        times_per_day=2,
        interval_days=1,
        daily_units=10,
    ),
    "1 plåster var 3:e dag": DoseReading(
        "1 plåster var 3:e dag",
        True,
        amount_min=1,
        amount_max=1,
        unit="plåster",
        times_per_day=1,
        interval_days=3,
        daily_units=1 / 3,
    ),
    "1-2 vid behov": DoseReading(
        "1-2 vid behov",
        True,
        amount_min=1,
        amount_max=2,
        unit="tablett",
        as_needed=True,
        max_per_day=8,
    ),
    "1x2": DoseReading(
        "1x2", True, amount_min=1, amount_max=1, times_per_day=2, interval_days=1, daily_units=2
    ),
    "enligt ordination": DoseReading("enligt ordination", True, marker="enligt ordination"),
}
CALLS: list[str] = []


def _stand_in(text: str) -> DoseReading:
    CALLS.append(text)
    return STAND_IN.get(text, DoseReading(text, False))


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    CALLS.clear()
    monkeypatch.setattr(pipeline, "parse_dosing", _stand_in)


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    full = [
        {**dict.fromkeys(CANONICAL_SCHEMA), "line_id": f"L{i}", **r} for i, r in enumerate(rows)
    ]
    return pl.DataFrame(full, schema=CANONICAL_SCHEMA)


def one(**row: Any) -> dict[str, Any]:
    return resolve_lines(frame(row)).to_dicts()[0]


def test_output_has_input_columns_plus_every_resolved_column() -> None:
    lines = frame({"product_text": "Alvedon 500 mg"}).with_columns(pl.lit(7).alias("extra"))
    out = resolve_lines(lines)
    assert out.columns == [*lines.columns, *RESOLVED_EXTRA_SCHEMA]
    for name, dtype in RESOLVED_EXTRA_SCHEMA.items():
        assert out.schema[name] == dtype, name
    assert out["extra"].to_list() == [7]


def test_missing_canonical_columns_are_read_as_empty() -> None:
    out = resolve_lines(pl.DataFrame({"product_text": ["Waran 2,5 mg", None]}))
    assert out["substance"].to_list() == ["warfarin", None]
    assert out["resolution"].to_list() == ["brand", "unresolved"]
    assert resolve_lines(pl.DataFrame(schema=CANONICAL_SCHEMA)).height == 0


def test_priority_npl_atc_substance_product() -> None:
    out = resolve_lines(
        frame(
            {"atc": "N02BE01", "product_text": "Okänd text"},
            {"atc": "N04BA02", "substance_text": "Levodopa + Karbidopa", "product_text": "X"},
            {"substance_text": "Metoprololsuccinat", "product_text": "Seloken ZOC"},
            {"product_text": "Seloken ZOC 50 mg"},
            {"atc": "n02be01 ", "product_text": None},
        )
    )
    assert out["resolution"].to_list() == ["atc", "substance", "substance", "brand", "atc"]
    assert out["substance"].to_list() == [
        "paracetamol",
        "karbidopa + levodopa",
        "metoprolol",
        "metoprolol",
        "paracetamol",
    ]
    assert out["resolved_atc"].to_list() == ["N02BE01", "N04BA02", "C07AB02", "C07AB02", "N02BE01"]


def test_strength_column_first_then_product_text() -> None:
    row = one(product_text="Alvedon 500 mg", strength_text="1 g")
    assert (row["strength_value"], row["strength_unit"]) == (1000.0, "mg")
    row = one(product_text="Alvedon 500 mg", strength_text="okänd")
    assert row["strength_value"] == 500.0


def test_form_and_route_columns() -> None:
    row = one(product_text="Alvedon 500 mg", form_text="Filmdragerad tablett", route_text=None)
    assert (row["form_class"], row["route"]) == ("plain_oral_solid", "oral")
    row = one(product_text="Furix 10 mg/ml", form_text="Injektionsvätska", route_text="Intravenös")
    assert (row["form_class"], row["route"]) == ("injection", "intravenous")
    row = one(product_text="Alvedon tablett", route_text="Via sond")
    assert row["route"] is None  # a route text not understood is not replaced by a guess


def test_daily_amount_from_pieces_times_strength(stand_in: None) -> None:
    row = one(product_text="Alvedon 500 mg tablett", dosing_text="2 tabl x 3")
    assert (row["daily_units"], row["daily_amount"], row["daily_amount_unit"]) == (6, 3000, "mg")
    assert row["dose_understood"] and row["dose_unit"] == "tablett"


def test_daily_amount_from_a_dose_in_mass_or_units(stand_in: None) -> None:
    assert one(product_text="Alvedon 500 mg", dosing_text="500 mg x 2")["daily_amount"] == 1000
    row = one(product_text="Alvedon", dosing_text="1 g x 2")
    assert (row["daily_amount"], row["daily_amount_unit"]) == (2000, "mg")
    row = one(product_text="Lantus 100 E/ml", dosing_text="10 E")
    assert (row["daily_amount"], row["daily_amount_unit"]) == (10, "E")


def test_daily_amount_of_liquids_and_patches(stand_in: None) -> None:
    row = one(product_text="Laxoberal 7,5 mg/ml droppar", dosing_text="5 ml x 2")
    assert (row["daily_amount"], row["daily_amount_unit"]) == (75, "mg")
    row = one(product_text="Movicol oral lösning", dosing_text="5 ml x 2")
    assert (row["daily_amount"], row["daily_amount_unit"]) == (10, "ml")
    row = one(
        product_text="Durogesic 25 mikrogram/timme depotplåster",
        dosing_text="1 plåster var 3:e dag",
    )
    assert row["daily_amount"] == pytest.approx(0.6) and row["daily_amount_unit"] == "mg"


def test_daily_amount_needs_a_known_strength_and_unit(stand_in: None) -> None:
    # without a strength the amount stays in the unit the text counts in
    row = one(product_text="Alvedon", dosing_text="2 tabl x 3")
    assert (row["daily_amount"], row["daily_amount_unit"]) == (6, "tablett")
    # "1x2" names no unit: a tablet form says it counts tablets, an unknown form does not
    assert one(product_text="Alvedon 500 mg tablett", dosing_text="1x2")["daily_amount"] == 1000
    assert one(product_text="Alvedon 500 mg", dosing_text="1x2")["daily_amount"] is None


def test_as_needed_has_no_daily_amount(stand_in: None) -> None:
    row = one(product_text="Alvedon 500 mg tablett", dosing_text="1-2 vid behov")
    assert row["dose_as_needed"] and row["max_per_day"] == 8 and row["daily_amount"] is None
    row = one(product_text="Alvedon 500 mg tablett", dosing_text="2 tabl x 3", as_needed=True)
    assert row["dose_as_needed"] and row["daily_amount"] is None


def test_unparsed_text_is_kept_not_guessed(stand_in: None) -> None:
    row = one(product_text="Alvedon 500 mg", dosing_text="något obegripligt")
    assert row["dose_understood"] is False and row["daily_units"] is None
    marker = one(product_text="Waran", dosing_text="enligt ordination")
    assert marker["dose_marker"] == "enligt ordination" and marker["daily_amount"] is None


def test_pascal_time_columns_are_the_truth(stand_in: None) -> None:
    out = resolve_lines(
        frame(
            # columns agree with the text
            {
                "product_text": "Alvedon 500 mg tablett",
                "dosing_text": "1 morgon 1 kväll",
                "dose_morning": 1.0,
                "dose_evening": 1.0,
            },
            # columns say 2 + 2 per day, text says 1 + 1: columns win, conflict flagged
            {
                "product_text": "Alvedon 500 mg tablett",
                "dosing_text": "1 morgon 1 kväll",
                "dose_morning": 2.0,
                "dose_evening": 2.0,
            },
            # same total, other times: conflict
            {
                "product_text": "Alvedon 500 mg tablett",
                "dosing_text": "1 morgon 1 kväll",
                "dose_morning": 1.0,
                "dose_noon": 1.0,
            },
            # text not understood: nothing to disagree with
            {
                "product_text": "Alvedon 500 mg tablett",
                "dosing_text": "obegriplig",
                "dose_morning": 1.0,
            },
            # no text at all
            {"product_text": "Alvedon 500 mg tablett", "dose_night": 0.5},
            # a marker only: no conflict
            {
                "product_text": "Alvedon 500 mg tablett",
                "dosing_text": "enligt ordination",
                "dose_morning": 1.0,
            },
        )
    )
    assert out["dose_text_conflict"].to_list() == [False, True, True, False, False, False]
    assert out["daily_units"].to_list() == [2, 4, 2, 1, 0.5, 1]
    assert out["daily_amount"].to_list() == [1000, 2000, 1000, 500, 250, 500]
    assert out.row(1, named=True)["slot_morning"] == 2.0
    assert out["dose_understood"].to_list() == [True] * 6


def test_distinct_texts_are_parsed_once(stand_in: None) -> None:
    rows = [{"product_text": "Alvedon 500 mg", "dosing_text": "2 tabl x 3"}] * 500
    rows += [{"product_text": "Waran", "dosing_text": "enligt ordination"}] * 500
    out = resolve_lines(frame(*rows))
    assert out.height == 1000
    assert sorted(CALLS) == ["2 tabl x 3", "enligt ordination"]


def test_with_the_real_dosing_parser() -> None:
    row = one(
        product_text="Alvedon 500 mg filmdragerad tablett",
        dosing_text="2 tabletter 3 gånger dagligen",
    )
    assert row["dose_understood"] and row["daily_amount"] == 3000
    assert row["daily_amount_unit"] == "mg"


# --- properties -------------------------------------------------------------------------------

PRODUCTS = [
    "Alvedon 500 mg",
    "Seloken ZOC 50 mg depottablett",
    "Metoprolo 50 mg",
    "Okänt 5 mg",
    "Madopark 100 mg/25 mg",
    "Furix 10 mg/ml inj",
    None,
    "",
]
DOSINGS = [
    "2 tabletter 3 gånger dagligen",
    "1x2",
    "vid behov",
    "enligt ordination",
    "1+0+1+0",
    None,
    "bla",
]
row_strategy = st.fixed_dictionaries(
    {
        "product_text": st.one_of(st.sampled_from(PRODUCTS), st.text(max_size=30)),
        "dosing_text": st.one_of(st.sampled_from(DOSINGS), st.text(max_size=30)),
        "strength_text": st.sampled_from([None, "500 mg", "10 mg/ml", "x"]),
        "dose_morning": st.sampled_from([None, 1.0, 0.5]),
        "as_needed": st.sampled_from([None, True, False]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row_strategy, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_properties_never_raises_order_free_idempotent(
    rows: list[dict[str, Any]], rnd: Any
) -> None:
    lines = frame(*rows)
    out = resolve_lines(lines)
    assert out.height == lines.height and out["line_id"].to_list() == lines["line_id"].to_list()
    # idempotent: resolving the resolved frame again gives the same frame
    assert resolve_lines(out).equals(out)
    # row order changes nothing but the order
    order = list(range(lines.height))
    rnd.shuffle(order)
    shuffled = resolve_lines(lines[order]).sort("line_id")
    assert shuffled.equals(out.sort("line_id"))


def test_npl_id_resolves_first_when_the_catalogue_has_it(tmp_path: Any) -> None:
    from medrecon.normalise.catalogue import load_catalogue

    local = tmp_path / "npl.csv"
    local.write_text("substans;npl_id\nwarfarin;19750101000019\n", encoding="utf-8")
    catalogue = load_catalogue(local_files=[local])
    out = resolve_lines(
        frame(
            {"npl_id": "19750101000019", "atc": "N02BE01", "product_text": "Alvedon"},
            {"npl_id": "11111111111111", "product_text": "Alvedon"},
        ),
        catalogue,
    )
    assert out["resolution"].to_list() == ["npl", "brand"]
    assert out["substance"].to_list() == ["warfarin", "paracetamol"]

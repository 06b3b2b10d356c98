"""Kinds and severities per docs/judging.md, as a table of inputs -> expected findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from engine_builders import YOUNG, c, p, run

ENDED = dt.date(2025, 12, 1)

# (case id, cosmic lines, pascal lines, expected sorted [(kind, severity, cosmic, pascal)])
CASES: list[
    tuple[
        str, list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, str, list[str], list[str]]]
    ]
] = [
    ("identical", [c("C1", "metformin")], [p("P1", "metformin")], []),
    (
        "dose",
        [c("C1", "furosemid", strength=40, units_per_day=1)],
        [p("P1", "furosemid", strength=40, units_per_day=2)],
        [("dose", "high", ["C1"], ["P1"])],
    ),
    (
        "schedule",
        [c("C1", "metformin", slots=(1, None, 1, None))],
        [p("P1", "metformin", slots=(2, None, None, None))],
        [("schedule", "medium", ["C1"], ["P1"])],
    ),
    (
        "schedule unknown on one side is no finding",
        [c("C1", "metformin", slots=(None, None, None, None))],
        [p("P1", "metformin", slots=(2, None, None, None))],
        [],
    ),
    (
        "as_needed suppresses dose",
        [c("C1", "oxazepam", strength=5, units_per_day=3)],
        [p("P1", "oxazepam", strength=5, prn=True, max_per_day=3)],
        [("as_needed", "medium", ["C1"], ["P1"])],
    ),
    (
        "strength: same daily amount",
        [c("C1", "paracetamol", strength=500, units_per_day=2)],
        [p("P1", "paracetamol", strength=1000, units_per_day=1)],
        [("strength", "low", ["C1"], ["P1"])],
    ),
    (
        "form",
        [c("C1", "metoprolol", form="plain_oral_solid")],
        [p("P1", "metoprolol", form="modified_release")],
        [("form", "medium", ["C1"], ["P1"])],
    ),
    (
        "form unknown is no finding",
        [c("C1", "metoprolol", form="unknown")],
        [p("P1", "metoprolol", form="modified_release")],
        [],
    ),
    (
        "route and dose are separate findings",
        [c("C1", "metoklopramid", route="oral", units_per_day=3)],
        [p("P1", "metoklopramid", route="intravenous", units_per_day=1)],
        [("dose", "high", ["C1"], ["P1"]), ("route", "high", ["C1"], ["P1"])],
    ),
    (
        "dispensing",
        [c("C1", "metformin", dispensing="dose")],
        [p("P1", "metformin", dispensing="package")],
        [("dispensing", "low", ["C1"], ["P1"])],
    ),
    (
        "dispensing unknown on one side is no finding",
        [c("C1", "metformin", dispensing=None)],
        [p("P1", "metformin", dispensing="package")],
        [],
    ),
    (
        "needs_review: not understood and texts differ",
        [c("C1", "metformin", understood=False, dosing_text="som förut")],
        [p("P1", "metformin", dosing_text="1 tablett 2 gånger dagligen")],
        [("needs_review", "medium", ["C1"], ["P1"])],
    ),
    (
        "no needs_review when texts agree up to case and spaces",
        [c("C1", "metformin", understood=False, dosing_text="Enligt  ordination")],
        [p("P1", "metformin", understood=False, dosing_text="enligt ordination ")],
        [],
    ),
    (
        "ended_in_cosmic (ended)",
        [c("C1", "metformin", status="ended", end_date=ENDED)],
        [p("P1", "metformin")],
        [("ended_in_cosmic", "high", ["C1"], ["P1"])],
    ),
    (
        "ended_in_cosmic (paused)",
        [c("C1", "metformin", status="paused")],
        [p("P1", "metformin")],
        [("ended_in_cosmic", "high", ["C1"], ["P1"])],
    ),
    (
        "ended_in_pascal by Utsatt date",
        [c("C1", "metformin")],
        [p("P1", "metformin", end_date=ENDED)],
        [("ended_in_pascal", "high", ["C1"], ["P1"])],
    ),
    (
        "both ended is history",
        [c("C1", "metformin", status="ended", end_date=ENDED), c("C2", "enalapril")],
        [p("P1", "metformin", end_date=ENDED, units_per_day=9), p("P2", "enalapril")],
        [],
    ),
    (
        "missing_in_pascal",
        [c("C1", "metformin"), c("C2", "enalapril")],
        [p("P2", "enalapril")],
        [("missing_in_pascal", "high", ["C1"], [])],
    ),
    (
        "missing as-needed is medium",
        [c("C2", "enalapril")],
        [p("P1", "paracetamol", prn=True, max_per_day=8), p("P2", "enalapril")],
        [("missing_in_cosmic", "medium", [], ["P1"])],
    ),
    (
        "ended unpaired line is no finding",
        [c("C1", "metformin", status="ended"), c("C2", "enalapril")],
        [p("P2", "enalapril")],
        [],
    ),
    (
        "ward stock is never compared",
        [c("C1", "metformin", order_type="ward_stock"), c("C2", "enalapril")],
        [p("P1", "metformin"), p("P2", "enalapril")],
        [("missing_in_cosmic", "high", [], ["P1"])],
    ),
    (
        "self-care alone is no finding",
        [c("C1", "paracetamol", order_type="self_care"), c("C2", "enalapril")],
        [p("P2", "enalapril")],
        [],
    ),
    (
        "high-risk raises medium to high (warfarin schedule)",
        [c("C1", "warfarin", atc="B01AA03", strength=2.5, slots=(1, None, 1, None))],
        [p("P1", "warfarin", atc="B01AA03", strength=2.5, slots=(2, None, None, None))],
        [("schedule", "high", ["C1"], ["P1"])],
    ),
    (
        "high-risk raises low to medium (insulin by ATC prefix)",
        [c("C1", "insulin glargin", atc="A10AE04", strength=100, unit="E", dispensing="dose")],
        [p("P1", "insulin glargin", atc="A10AE04", strength=100, unit="E", dispensing="package")],
        [("dispensing", "medium", ["C1"], ["P1"])],
    ),
    (
        "high-risk by substance name (lithium without ATC)",
        [c("C1", "litium", strength=42, units_per_day=2)],
        [p("P1", "litium", strength=84, units_per_day=1)],
        [("strength", "medium", ["C1"], ["P1"])],
    ),
    (
        "high-risk missing as-needed is raised to high",
        [c("C2", "enalapril")],
        [p("P1", "oxikodon", atc="N02AA05", prn=True, max_per_day=4), p("P2", "enalapril")],
        [("missing_in_cosmic", "high", [], ["P1"])],
    ),
    (
        "two as-needed lines: different maximum per day",
        [c("C1", "paracetamol", prn=True, max_per_day=8)],
        [p("P1", "paracetamol", prn=True, max_per_day=6)],
        [("dose", "high", ["C1"], ["P1"])],
    ),
    (
        "two as-needed lines: same maximum",
        [c("C1", "paracetamol", prn=True, max_per_day=8)],
        [p("P1", "paracetamol", prn=True, max_per_day=8)],
        [],
    ),
    (
        "interval differs (daily vs weekly) with the same mean is a dose finding",
        [c("C1", "alendronat", strength=10, units_per_day=1, interval=1)],
        [p("P1", "alendronat", strength=70, units_per_day=1 / 7 * 1, interval=7)],
        [("dose", "high", ["C1"], ["P1"])],
    ),
    (
        "patient_missing: one finding, no missing_in_pascal",
        [
            c("C1", "metformin", patient=YOUNG),
            c("C2", "enalapril", patient=YOUNG),
            c("C3", "simvastatin", patient=YOUNG, status="ended"),
            c("C9", "metformin"),
        ],
        [p("P1", "metformin")],
        [("patient_missing", "high", ["C1", "C2"], [])],
    ),
    (
        "duplicate: extra line covered, best one paired",
        [c("C1", "paracetamol"), c("C2", "paracetamol")],
        [p("P1", "paracetamol")],
        [("duplicate", "medium", ["C1", "C2"], [])],
    ),
    (
        "duplicate with nothing on the other side: one missing",
        [c("C1", "paracetamol"), c("C2", "paracetamol"), c("C3", "enalapril")],
        [p("P3", "enalapril")],
        [("duplicate", "medium", ["C1", "C2"], []), ("missing_in_pascal", "high", ["C1"], [])],
    ),
    (
        "standing and as-needed of one substance are not duplicates",
        [c("C1", "paracetamol"), c("C2", "paracetamol", prn=True, max_per_day=4)],
        [p("P1", "paracetamol"), p("P2", "paracetamol", prn=True, max_per_day=4)],
        [],
    ),
    (
        "split strengths against one line: equal total is a strength finding",
        [
            c("C1", "levotyroxin", strength=0.05, units_per_day=1),
            c("C2", "levotyroxin", strength=0.025, units_per_day=1),
        ],
        [p("P1", "levotyroxin", strength=0.075, units_per_day=1)],
        [("strength", "low", ["C1", "C2"], ["P1"])],
    ),
    (
        "split strengths against one line: different total is a dose finding",
        [c("C1", "levotyroxin", strength=0.1, units_per_day=1)],
        [
            p("P1", "levotyroxin", strength=0.05, units_per_day=1),
            p("P2", "levotyroxin", strength=0.025, units_per_day=1),
        ],
        [("dose", "high", ["C1"], ["P1", "P2"])],
    ),
    (
        "Pascal time columns disagree with the text",
        [c("C1", "metformin")],
        [p("P1", "metformin", conflict=True, columns=(2, None, None, None))],
        [("needs_review", "medium", [], ["P1"])],
    ),
]


@pytest.mark.parametrize(
    ("cosmic", "pascal", "expected"),
    [pytest.param(cc, pp, ee, id=name) for name, cc, pp, ee in CASES],
)
def test_kind_table(
    cosmic: list[dict[str, Any]],
    pascal: list[dict[str, Any]],
    expected: list[tuple[str, str, list[str], list[str]]],
) -> None:
    result = run(cosmic, pascal)
    got = sorted(
        (k, s, list(ci), list(pi))
        for k, s, ci, pi in result.findings.select(
            "kind", "severity", "cosmic_ids", "pascal_ids"
        ).rows()
    )
    assert got == sorted(expected)


def test_every_finding_has_an_explanation_naming_both_values() -> None:
    result = run(
        [c("C1", "furosemid", strength=40, units_per_day=1, dosing_text="1 tablett på morgonen")],
        [p("P1", "furosemid", strength=40, units_per_day=2, columns=(1, 1, None, None))],
    )
    (text,) = result.findings["explanation"].to_list()
    assert text == (
        "Furosemid: Cosmic 40 mg/dygn (1 tablett på morgonen), "
        "Pascal 80 mg/dygn (Morgon 1, Middag 1)."
    )


def test_combination_against_its_components() -> None:
    combo = c(
        "C1",
        "enalapril + hydroklortiazid",
        strength=20,
        strength_values=[20.0, 12.5],
        units_per_day=1,
        product="Enalapril comp 20 mg/12,5 mg",
    )
    result = run(
        [combo],
        [
            p("P1", "enalapril", strength=20, units_per_day=1),
            p("P2", "hydroklortiazid", strength=12.5, units_per_day=1),
        ],
    )
    assert result.matches["mechanism"].to_list() == ["combination"]
    assert result.matches["pascal_ids"].to_list() == [["P1", "P2"]]
    assert [(f["kind"], f["substance"]) for f in result.findings.iter_rows(named=True)] == [
        ("strength", "enalapril + hydroklortiazid")
    ]


def test_combination_with_a_different_component_dose() -> None:
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
            p("P1", "enalapril", strength=20, units_per_day=2),
            p("P2", "hydroklortiazid", strength=12.5, units_per_day=1),
        ],
    )
    assert result.findings["kind"].to_list() == ["dose"]


def test_combination_with_a_component_missing_is_not_paired() -> None:
    combo = c("C1", "enalapril + hydroklortiazid", strength=20, strength_values=[20.0, 12.5])
    result = run([combo], [p("P1", "enalapril", strength=20)])
    assert sorted(result.findings["kind"].to_list()) == ["missing_in_cosmic", "missing_in_pascal"]
    assert result.matches.height == 0


def test_combination_components_are_not_taken_for_a_split_group() -> None:
    # Cosmic: losartan + hydroklortiazid as one product, and hydroklortiazid 25 mg alone.
    # Pascal: the combination as two lines, and the same hydroklortiazid 25 mg.
    combo = c(
        "C1",
        "hydroklortiazid + losartan",
        strength=50,
        strength_values=[50.0, 12.5],
        units_per_day=1,
    )
    result = run(
        [combo, c("C2", "hydroklortiazid", strength=25, units_per_day=1)],
        [
            p("P1", "losartan", strength=50, units_per_day=1),
            p("P2", "hydroklortiazid", strength=12.5, units_per_day=1),
            p("P3", "hydroklortiazid", strength=25, units_per_day=1),
        ],
    )
    pairs = sorted(
        (m, list(ci), list(pi))
        for m, ci, pi in result.matches.select("mechanism", "cosmic_ids", "pascal_ids").rows()
    )
    assert pairs == [("combination", ["C1"], ["P1", "P2"]), ("substance", ["C2"], ["P3"])]
    assert result.findings["kind"].to_list() == ["strength"]


def test_two_lines_of_one_drug_pair_by_agreeing_dose() -> None:
    # Each side has the drug twice; the lines that agree on the dose are paired, so the
    # ended line meets its own counterpart (and Pascal's two active lines are a duplicate).
    result = run(
        [
            c("C1", "atorvastatin", strength=20, slots=(1, None, None, None), status="ended"),
            c("C2", "atorvastatin", strength=20, slots=(None, None, 1, None)),
        ],
        [
            p("P1", "atorvastatin", strength=20, slots=(1, None, None, None)),
            p("P2", "atorvastatin", strength=20, slots=(None, None, 1, None)),
        ],
    )
    found = sorted(
        (k, list(ci), list(pi))
        for k, ci, pi in result.findings.select("kind", "cosmic_ids", "pascal_ids").rows()
    )
    assert found == [("duplicate", [], ["P1", "P2"]), ("ended_in_cosmic", ["C1"], ["P1"])]

"""Pairing tiers: which lines pair, by which mechanism, with which score."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from engine_builders import c, frame, p, rules, run

from medrecon.engine import reconcile


def _pairs(result: Any) -> list[tuple[list[str], list[str], str, float]]:
    rows = result.matches.select("cosmic_ids", "pascal_ids", "mechanism", "score").rows()
    return sorted((list(ci), list(pi), m, round(s, 3)) for ci, pi, m, s in rows)


TIERS = [
    (
        "npl id wins over everything",
        [c("C1", "paracetamol", npl="19750101000019", atc="N02BE01")],
        [p("P1", "paracetamol", npl="19750101000019", atc="N02BE01")],
        [(["C1"], ["P1"], "npl", 1.0)],
    ),
    (
        "same ATC and substance",
        [c("C1", "paracetamol", atc="N02BE01")],
        [p("P1", "paracetamol", atc="N02BE01", npl="123")],
        [(["C1"], ["P1"], "atc", 1.0)],
    ),
    (
        "same substance, no ATC",
        [c("C1", "metoprolol")],
        [p("P1", "metoprolol", atc="C07AB02")],
        [(["C1"], ["P1"], "substance", 1.0)],
    ),
    (
        "same ATC but different substance does not pair",
        [c("C1", "metoprolol", atc="C07AB02")],
        [p("P1", "atenolol", atc="C07AB02")],
        [],
    ),
    (
        "fuzzy: unresolved misspelling above the threshold",
        [c("C1", None, substance_text="Simvastatine")],
        [p("P1", "simvastatin")],
        [(["C1"], ["P1"], "fuzzy", 0.957)],
    ),
    (
        "fuzzy: never a match below the threshold",
        [c("C1", None, substance_text="Simva")],
        [p("P1", "simvastatin")],
        [],
    ),
    (
        "fuzzy: two resolved, different substances never pair",
        [c("C1", "klortiazid")],
        [p("P1", "hydroklortiazid")],
        [],
    ),
    (
        "active pairs with active before ended",
        [c("C0", "metformin", status="ended"), c("C1", "metformin")],
        [p("P1", "metformin")],
        [(["C1"], ["P1"], "substance", 1.0)],
    ),
    (
        "standing with standing, as-needed with as-needed",
        [c("C1", "paracetamol", prn=True, max_per_day=8), c("C2", "paracetamol")],
        [p("P1", "paracetamol"), p("P2", "paracetamol", prn=True, max_per_day=8)],
        [(["C1"], ["P2"], "substance", 1.0), (["C2"], ["P1"], "substance", 1.0)],
    ),
    (
        "closest strength",
        [
            c("C1", "levotyroxin", strength=0.1, prn=True),
            c("C2", "levotyroxin", strength=0.025, prn=True),
        ],
        [
            p("P1", "levotyroxin", strength=0.025, prn=True),
            p("P2", "levotyroxin", strength=0.1, prn=True),
        ],
        [(["C1"], ["P2"], "substance", 1.0), (["C2"], ["P1"], "substance", 1.0)],
    ),
    (
        "split: several strengths against one line",
        [c("C1", "levotyroxin", strength=0.05), c("C2", "levotyroxin", strength=0.025)],
        [p("P1", "levotyroxin", strength=0.075)],
        [(["C1", "C2"], ["P1"], "split", 1.0)],
    ),
    (
        "split on both sides pairs line by line",
        [c("C1", "levotyroxin", strength=0.05), c("C2", "levotyroxin", strength=0.025)],
        [p("P1", "levotyroxin", strength=0.025), p("P2", "levotyroxin", strength=0.05)],
        [(["C1"], ["P2"], "substance", 1.0), (["C2"], ["P1"], "substance", 1.0)],
    ),
    (
        "split: an ended line on the other side does not count",
        [c("C1", "levotyroxin", strength=0.05), c("C2", "levotyroxin", strength=0.025)],
        [
            p("P0", "levotyroxin", strength=0.075, status="ended"),
            p("P1", "levotyroxin", strength=0.075),
        ],
        [(["C1", "C2"], ["P1"], "split", 1.0)],
    ),
    (
        "closest daily amount before line id",
        [c("C1", "metformin", units_per_day=2), c("C2", "metformin", units_per_day=1)],
        [p("P1", "metformin", units_per_day=1)],
        [(["C2"], ["P1"], "substance", 1.0)],
    ),
    (
        "all else equal, the lower line id pairs, whatever the row order",
        [c("C2", "metformin"), c("C1", "metformin")],
        [p("P1", "metformin")],
        [(["C1"], ["P1"], "substance", 1.0)],
    ),
    (
        "lines of different patients never pair",
        [c("C1", "metformin"), c("C2", "enalapril", patient="199001011239")],
        [p("P1", "enalapril"), p("P2", "metformin", patient="199001011239")],
        [],
    ),
]


@pytest.mark.parametrize(
    ("cosmic", "pascal", "expected"),
    [pytest.param(cc, pp, ee, id=name) for name, cc, pp, ee in TIERS],
)
def test_tier_table(
    cosmic: list[dict[str, Any]],
    pascal: list[dict[str, Any]],
    expected: list[tuple[list[str], list[str], str, float]],
) -> None:
    assert _pairs(run(cosmic, pascal)) == sorted(expected)


def test_threshold_comes_from_the_rules() -> None:
    cosmic = frame([c("C1", None, substance_text="Simvastatine")])
    pascal = frame([p("P1", "simvastatin")])
    strict = dataclasses.replace(rules(), fuzzy_threshold=99.0)
    assert reconcile(cosmic, pascal, rules=strict).matches.height == 0
    loose = dataclasses.replace(rules(), fuzzy_threshold=90.0)
    assert reconcile(cosmic, pascal, rules=loose).matches["mechanism"].to_list() == ["fuzzy"]


def test_agreeing_pairs_are_matches_without_findings() -> None:
    result = run(
        [c("C1", "metformin"), c("C2", "enalapril")], [p("P1", "metformin"), p("P2", "enalapril")]
    )
    assert result.findings.height == 0
    assert result.matches.height == 2
    assert result.matches["substance"].to_list() == ["enalapril", "metformin"]

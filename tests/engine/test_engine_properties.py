"""Property tests: identity, symmetry, row order and fingerprint stability."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from engine_builders import TODAY, YOUNG, frame, line, rules
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medrecon.engine import reconcile

PATIENTS = ("194005121234", YOUNG)
MIRROR = {
    "missing_in_pascal": "missing_in_cosmic",
    "missing_in_cosmic": "missing_in_pascal",
    "ended_in_cosmic": "ended_in_pascal",
    "ended_in_pascal": "ended_in_cosmic",
}
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def line_specs(draw: st.DrawFn, *, ward_stock: bool) -> dict[str, Any]:
    substance = draw(st.sampled_from(["metformin", "paracetamol", "warfarin", "levotyroxin", None]))
    ended = draw(st.booleans())
    prn = draw(st.booleans())
    return {
        "substance": substance,
        "substance_text": "Simvastatine" if substance is None else None,
        "patient": draw(st.sampled_from(PATIENTS)),
        "strength": draw(st.sampled_from([None, 0.025, 0.05, 500.0, 1000.0])),
        "units_per_day": draw(st.sampled_from([None, 1.0, 2.0, 3.0])),
        "prn": prn,
        "max_per_day": draw(st.sampled_from([None, 4.0, 8.0])) if prn else None,
        "status": "ended" if ended else "active",
        "end_date": dt.date(2025, 6, 1) if ended else None,
        "order_type": draw(st.sampled_from(["prescription", "prescription", "ward_stock"]))
        if ward_stock
        else "prescription",
        "form": draw(st.sampled_from(["plain_oral_solid", "modified_release", "unknown", None])),
        "route": draw(st.sampled_from(["oral", "subcutaneous", None])),
        "dispensing": draw(st.sampled_from(["dose", "package", None])),
        "understood": draw(st.booleans()),
        "slots": draw(st.sampled_from([None, (1.0, None, 1.0, None), (2.0, None, None, None)])),
        "dosing_text": draw(st.sampled_from(["1 x 2", "enligt ordination", None])),
    }


def build(source: str, specs: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    rows = []
    for i, spec in enumerate(specs):
        spec = dict(spec)
        substance = spec.pop("substance")
        rows.append(line(source, f"{prefix}{i:02d}", substance, **spec))
    return rows


def findings_key(result: Any, swap: bool = False) -> list[tuple[Any, ...]]:
    out = []
    for kind, sub, patient, ci, pi in result.findings.select(
        "kind", "substance", "patient_id", "cosmic_ids", "pascal_ids"
    ).rows():
        if swap:
            kind, ci, pi = MIRROR.get(kind, kind), pi, ci
        out.append((patient, kind, sub, tuple(ci), tuple(pi)))
    return sorted(out, key=repr)


@SETTINGS
@given(st.lists(line_specs(ward_stock=True), max_size=8))
def test_a_list_against_itself_has_no_discrepancy(specs: list[dict[str, Any]]) -> None:
    cosmic = build("cosmic", specs, "C")
    pascal = build("pascal", [s for s in specs if s["order_type"] == "prescription"], "P")
    result = reconcile(frame(cosmic), frame(pascal), rules=rules(), as_of=TODAY)
    # Duplicates are within one list, so a list against itself repeats them on both sides.
    kinds = result.findings.filter(pl.col("kind") != "duplicate")
    assert kinds.height == 0, kinds.select("kind", "cosmic_ids", "pascal_ids").rows()
    dup_sides = (
        result.findings.select(pl.col("cosmic_ids").list.len() > 0).to_series().value_counts()
    )
    counts = dict(dup_sides.rows())
    assert counts.get(True, 0) == counts.get(False, 0)


@SETTINGS
@given(
    st.lists(line_specs(ward_stock=False), max_size=7),
    st.lists(line_specs(ward_stock=False), max_size=7),
)
def test_swapping_systems_mirrors_the_directional_kinds(
    left: list[dict[str, Any]], right: list[dict[str, Any]]
) -> None:
    a = reconcile(
        frame(build("cosmic", left, "A")),
        frame(build("pascal", right, "B")),
        rules=rules(),
        as_of=TODAY,
    )
    b = reconcile(
        frame(build("cosmic", right, "B")),
        frame(build("pascal", left, "A")),
        rules=rules(),
        as_of=TODAY,
    )
    assert findings_key(a) == findings_key(b, swap=True)


@SETTINGS
@given(
    st.lists(line_specs(ward_stock=True), max_size=8),
    st.lists(line_specs(ward_stock=False), max_size=8),
    st.randoms(use_true_random=False),
)
def test_row_order_changes_nothing(
    left: list[dict[str, Any]], right: list[dict[str, Any]], rnd: Any
) -> None:
    cosmic, pascal = build("cosmic", left, "C"), build("pascal", right, "P")
    first = reconcile(frame(cosmic), frame(pascal), rules=rules(), as_of=TODAY)
    rnd.shuffle(cosmic)
    rnd.shuffle(pascal)
    second = reconcile(frame(cosmic), frame(pascal), rules=rules(), as_of=TODAY)
    assert first.findings.equals(second.findings)
    assert first.matches.equals(second.matches)
    assert first.patients.equals(second.patients)


@SETTINGS
@given(
    st.lists(line_specs(ward_stock=True), max_size=8),
    st.lists(line_specs(ward_stock=False), max_size=8),
)
def test_fingerprints_are_stable_across_runs(
    left: list[dict[str, Any]], right: list[dict[str, Any]]
) -> None:
    cosmic, pascal = frame(build("cosmic", left, "C")), frame(build("pascal", right, "P"))
    ids = [
        reconcile(cosmic, pascal, rules=rules(), as_of=TODAY).findings["id"].to_list()
        for _ in range(2)
    ]
    assert ids[0] == ids[1]
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids[0])

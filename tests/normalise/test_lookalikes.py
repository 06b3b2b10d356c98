"""Look-alike substances (rules/lookalikes.csv) are never taken for each other: not by
the spelling correction, not by fuzzy product matching, not by pairing."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from medrecon.engine import reconcile
from medrecon.normalise import read_product_text
from medrecon.rules_path import rules_dir
from medrecon.schema import CANONICAL_SCHEMA


def _pairs() -> list[tuple[str, str]]:
    with (rules_dir() / "lookalikes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return [(row["substans_a"].strip(), row["substans_b"].strip()) for row in rows]


PAIRS = _pairs()
BOTH_WAYS = [(a, b) for a, b in PAIRS] + [(b, a) for a, b in PAIRS]


def test_the_list_is_not_empty_and_each_pair_is_two_substances() -> None:
    assert len(PAIRS) >= 10
    assert all(a != b for a, b in PAIRS)


@pytest.mark.parametrize(("name", "other"), BOTH_WAYS, ids=[f"{a}-{b}" for a, b in BOTH_WAYS])
def test_each_name_resolves_to_itself(name: str, other: str) -> None:
    reading = read_product_text(f"{name.capitalize()} tablett")
    assert reading["substance"] == name


@pytest.mark.parametrize(("name", "other"), BOTH_WAYS, ids=[f"{a}-{b}" for a, b in BOTH_WAYS])
def test_a_typo_that_lands_nearer_the_look_alike_is_not_corrected_into_it(
    name: str, other: str
) -> None:
    # Change the first letter where the names differ into the look-alike's letter: a
    # plausible misspelling of ``name`` one step nearer ``other``. It may be corrected
    # back, or stay unresolved; it must never come out as the other substance.
    typo = next(
        (name[:i] + other[i] + name[i + 1 :] for i in range(min(len(name), len(other)))
         if name[i] != other[i]),
        name + "x",
    )  # fmt: skip
    reading = read_product_text(f"{typo.capitalize()} tablett")
    assert reading["substance"] != other


def _line(source: str, line_id: str, substance: str) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(CANONICAL_SCHEMA)
    row.update(
        source=source,
        file=f"{source}.csv",
        line=2,
        patient_id="194005121233",
        line_id=line_id,
        product_text=f"{substance.capitalize()} tablett",
        dosing_text="1 tablett på morgonen",
        as_needed=False,
        status="active",
        order_type="prescription",
    )
    return row


@pytest.mark.parametrize(("name", "other"), BOTH_WAYS, ids=[f"{a}-{b}" for a, b in BOTH_WAYS])
def test_look_alikes_on_the_two_sides_are_never_paired(name: str, other: str) -> None:
    cosmic = pl.DataFrame([_line("cosmic", "C1", name)], schema=CANONICAL_SCHEMA)
    pascal = pl.DataFrame([_line("pascal", "P1", other)], schema=CANONICAL_SCHEMA)
    result = reconcile(cosmic, pascal)
    assert result.matches.is_empty()
    assert sorted(result.findings["kind"].to_list()) == ["missing_in_cosmic", "missing_in_pascal"]

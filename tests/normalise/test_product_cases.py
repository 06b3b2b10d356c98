"""Product-text rule cases from tests/cases/products.toml, one test per case."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from medrecon.normalise.pipeline import resolve_lines
from medrecon.normalise.strength import format_strength
from medrecon.schema import CANONICAL_SCHEMA

CASES_FILE = Path(__file__).resolve().parents[1] / "cases" / "products.toml"
CASES: list[dict[str, str]] = tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))["case"]


@pytest.fixture(scope="module")
def readings() -> dict[str, dict[str, Any]]:
    """All cases resolved in one frame, as the pipeline does for an export."""
    rows = [{**dict.fromkeys(CANONICAL_SCHEMA), "product_text": c["text"]} for c in CASES]
    resolved = resolve_lines(pl.DataFrame(rows, schema=CANONICAL_SCHEMA))
    return {row["product_text"]: row for row in resolved.to_dicts()}


def test_case_file_is_large_and_unique() -> None:
    texts = [c["text"] for c in CASES]
    assert len(texts) >= 150
    assert len(set(texts)) == len(texts)


def _strength(got: dict[str, Any]) -> str:
    """The strength as the case file writes it; a combination names each component's value
    ("kodein 30 + paracetamol 500 mg"), so a strength paired with the wrong substance fails."""
    values, substances = got["strength_values"], got["substances"]
    if not values:
        return ""
    if len(substances) > 1 and len(values) == len(substances):
        named = [
            f"{s} {format_strength([v], '').strip()}"
            for s, v in zip(substances, values, strict=True)
        ]
        return f"{' + '.join(named)} {got['strength_unit']}"
    return format_strength(values, got["strength_unit"])


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_product_case(case: dict[str, str], readings: dict[str, dict[str, Any]]) -> None:
    got = readings[case["text"]]
    strength = _strength(got)
    actual = {
        "substance": got["substance"] or "",
        "atc": got["resolved_atc"] or "",
        "strength": strength,
        "form": got["form_class"],
        "resolution": got["resolution"],
    }
    expected = {key: case[key] for key in actual}
    assert actual == expected
    if case["resolution"] == "unresolved":
        assert got["substances"] == [] and got["resolution_score"] is None
    elif case["resolution"] == "fuzzy":
        # similar names score 0.85 and up; one typing error in a short name less
        assert 0.8 <= got["resolution_score"] < 1.0
    else:
        assert got["resolution_score"] == 1.0

"""The engine's kinds, severities and hints, case by case from ``tests/cases/kinds``.

Every case runs through the whole product (export files -> adapters -> reader ->
engine) as written and, unless it says why not, mirrored between Cosmic and Pascal.
The findings must be exactly the expected ones: an extra finding fails as surely as a
missing one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kind_cases import KindCase, load_cases, write_exports

from medrecon.engine import Rules, reconcile_files

CASES = load_cases()
_RULES = Rules.load()


def _findings(case: KindCase, folder: Path) -> list[dict[str, Any]]:
    cosmic, pascal = write_exports(case, folder)
    result = reconcile_files(cosmic, pascal, rules=_RULES, as_of=case.as_of)
    assert result.rejected.is_empty(), f"the case's own lines were rejected: {result.rejected}"
    if case.pairs is not None:
        pairs = sorted(
            (m, list(c), list(p))
            for m, c, p in result.matches.select("mechanism", "cosmic_ids", "pascal_ids").rows()
        )
        expected_pairs = sorted((p["mechanism"], p["cosmic"], p["pascal"]) for p in case.pairs)
        assert pairs == expected_pairs
    return list(result.findings.iter_rows(named=True))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_kind_case(case: KindCase, tmp_path: Path) -> None:
    found = _findings(case, tmp_path)
    got = sorted(
        (f["kind"], f["severity"], list(f["cosmic_ids"]), list(f["pascal_ids"])) for f in found
    )
    want = sorted((e["kind"], e["severity"], e["cosmic"], e["pascal"]) for e in case.expected)
    assert got == want
    by_key = {(f["kind"], tuple(f["cosmic_ids"]), tuple(f["pascal_ids"])): f for f in found}
    ids = {f["id"]: f for f in found}
    for expected in case.expected:
        finding = by_key[(expected["kind"], tuple(expected["cosmic"]), tuple(expected["pascal"]))]
        if "substance" in expected:
            assert finding["substance"] == expected["substance"]
        if "hint" in expected:
            assert finding["hint"] == (expected["hint"] or None)
        if "explanation" in expected:
            assert expected["explanation"] in finding["explanation"]
        if "related" in expected:
            related = [ids[i] for i in finding["related_ids"]]
            assert sorted((r["kind"], r["substance"]) for r in related) == sorted(
                tuple(pair) for pair in expected["related"]
            )


def test_every_case_file_has_cases_and_reasons() -> None:
    files = {case.file for case in CASES}
    assert len(files) >= 3
    assert all(case.why for case in CASES), "each case says what it protects"

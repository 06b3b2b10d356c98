"""`medrecon explain` through the CLI entry point."""

from __future__ import annotations

import pytest

from medrecon.cli import main


def explain(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["explain", *args])
    out = capsys.readouterr()
    assert code == 0
    assert out.err == ""
    return out.out


def test_product_text(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(capsys, "Seloken ZOC 50 mg depottablett")
    assert "Produkttext: Seloken ZOC 50 mg depottablett" in out
    assert "metoprolol" in out and "C07AB02" in out and "handelsnamn" in out
    assert "50 mg" in out and "modified_release" in out and "oral" in out
    assert "Doseringstext" not in out


def test_misspelled_product_is_flagged_as_uncertain(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(capsys, "Metoprolo Sandoz 50 mg", "--kind", "product")
    assert "liknande stavning" in out and "kontrollera" in out and "0,9" in out


def test_combination(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(capsys, "Madopark 100 mg/25 mg tablett")
    assert "benserazid + levodopa" in out and "levodopa 100 mg + benserazid 25 mg" in out


def test_unknown_product_is_said_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(capsys, "Trolldryck 5 mg", "--kind", "product")
    assert "INTE FÖRSTÅDD" in out and "gissar inte" in out
    assert "5 mg" in out


def test_dosing_text_with_daily_amount(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(capsys, "2 tabletter 3 gånger dagligen", "--strength", "500 mg")
    assert "Doseringstext: 2 tabletter 3 gånger dagligen" in out
    assert "Gånger per dag:    3" in out
    assert "Dos per tillfälle: 2 tabletter = 1 g" in out
    assert "Dygnsdos:          3 g" in out
    assert "Produkttext" not in out


def test_dosing_text_with_product(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(
        capsys,
        "2 tabletter 3 gånger dagligen",
        "--kind",
        "dosing",
        "--product",
        "Alvedon 1 g tablett",
    )
    assert "Dygnsdos:          6 g" in out


def test_as_needed_dosing(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(capsys, "1-2 tabletter vid behov, högst 8 per dygn", "--kind", "dosing")
    assert "Vid behov:         ja, högst 8 tabletter per dygn" in out
    assert "Dygnsdos" not in out


def test_nothing_understood(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(capsys, "blaha blaha")
    assert out.count("INTE FÖRSTÅDD") == 2
    assert "varken som produkttext eller som doseringstext" in out


def test_bad_kind_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["explain", "x", "--kind", "annat"])
    assert info.value.code == 2


def test_a_maximum_in_another_unit_shows_both(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(
        capsys, "1-2 tabletter vid behov, max 4 g/dygn", "--product", "Alvedon 500 mg tablett"
    )
    assert "Dos per tillfälle: 1–2 tabletter = 0,5–1 g" in out
    assert "högst 4 g per dygn" in out


def test_both_eyes_count_twice(capsys: pytest.CaptureFixture[str]) -> None:
    out = explain(
        capsys, "1 droppe i vardera ögat 2 gånger dagligen", "--product", "Xalatan ögondroppar"
    )
    assert "Sida:              båda" in out and "Per dygn:          4 droppar" in out

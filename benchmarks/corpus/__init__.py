"""Scoring medrecon against the development corpus (dosing texts, product texts, a
labelled Cosmic/Pascal pair) written by a clinical pharmacist outside the team.

Each module reads one part of the corpus, runs the same code the product runs, and
returns a score with every disagreement listed, so a reader can see *why* a figure is
what it is. ``benchmarks/accuracy.py`` prints them beside the generator's figures.
"""

from __future__ import annotations

import csv
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a corpus TSV file (TAB separated, no quoting, header first)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def number(text: str) -> float | None:
    return float(text) if text else None


def close(a: float | None, b: float | None) -> bool:
    """Equal up to the corpus' rounding (2.333 for 7/3)."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-3 * max(abs(a), abs(b), 1.0)

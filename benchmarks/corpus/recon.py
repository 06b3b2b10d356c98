"""The labelled Cosmic/Pascal pair: precision and recall per kind, and severities.

A finding is correct when patient, kind, substance and both sets of line ids are equal
(substance names compared after ``products.SAME_SUBSTANCE``). The planted findings of
``recon/expected.json`` are the truth; every missed and every unexpected finding is
listed, and rejected rows are compared on file and line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.corpus.products import _substance
from medrecon.engine import reconcile_files
from medrecon.schema import KINDS

Key = tuple[str, str, str, tuple[str, ...], tuple[str, ...]]


def _key(patient: str, finding: dict[str, Any]) -> Key:
    return (
        patient,
        finding["kind"],
        _substance(finding.get("substance")),
        tuple(sorted(finding["cosmic_ids"])),
        tuple(sorted(finding["pascal_ids"])),
    )


@dataclass
class ReconScore:
    rows: list[dict[str, Any]] = field(default_factory=list)  # per kind
    missed: list[Key] = field(default_factory=list)
    unexpected: list[tuple[Key, str]] = field(default_factory=list)  # with explanation
    severity_wrong: list[tuple[Key, str, str]] = field(default_factory=list)
    rejected_missed: list[tuple[str, int]] = field(default_factory=list)
    rejected_unexpected: list[tuple[str, int]] = field(default_factory=list)

    @property
    def on_target(self) -> bool:
        return all(
            (r["recall"] is None or r["recall"] >= 0.99)
            and (r["precision"] is None or r["precision"] >= 0.98)
            for r in self.rows
        )


def reference_date(folder: Path) -> dt.date:
    """The day the pair was written: its newest "last changed" time (the labels judge end
    dates as of that day, e.g. a course that was still running then)."""
    from adapters import load_exports

    newest = [
        load_exports([folder / name]).lines["last_changed"].max()
        for name in ("cosmic.csv", "pascal.csv")
    ]
    return max(n for n in newest if isinstance(n, dt.datetime)).date()


def score_recon(corpus: Path) -> ReconScore:
    folder = corpus / "recon"
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    result = reconcile_files(
        [folder / "cosmic.csv"], [folder / "pascal.csv"], as_of=reference_date(folder)
    )
    truth = {
        _key(patient, finding): finding
        for patient, entry in expected["patients"].items()
        for finding in entry["discrepancies"]
    }
    found = {_key(row["patient_id"], row): row for row in result.findings.iter_rows(named=True)}
    score = ReconScore()
    hits, false, missed = Counter[str](), Counter[str](), Counter[str]()
    for key, row in found.items():
        if key in truth:
            hits[key[1]] += 1
            if row["severity"] != truth[key]["severity"]:
                score.severity_wrong.append((key, row["severity"], truth[key]["severity"]))
        else:
            false[key[1]] += 1
            score.unexpected.append((key, row["explanation"]))
    for key in truth:
        if key not in found:
            missed[key[1]] += 1
            score.missed.append(key)
    for kind in KINDS:
        n_found, n_truth = hits[kind] + false[kind], hits[kind] + missed[kind]
        score.rows.append(
            {
                "kind": kind,
                "planted": n_truth,
                "found": n_found,
                "correct": hits[kind],
                "precision": hits[kind] / n_found if n_found else None,
                "recall": hits[kind] / n_truth if n_truth else None,
            }
        )
    wanted = {(r["file"], int(r["line"])) for r in expected.get("rejected_rows", [])}
    got = {(r["file"], int(r["line"])) for r in result.rejected.iter_rows(named=True)}
    score.rejected_missed = sorted(wanted - got)
    score.rejected_unexpected = sorted(got - wanted)
    return score

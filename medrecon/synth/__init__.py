"""Seeded synthetic Cosmic/Pascal export pairs with known planted differences.

``generate_pair(n_patients, seed)`` gives two export frames (layouts cosmic-v1 and
pascal-v1, every column a String as in a file) and ``truth``: one row per planted
finding, judged as docs/judging.md says. Benchmarks, the accuracy script and property
tests use it; ``sample_exports/make_samples.py`` renders hand-written plans with the
same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from medrecon.synth.people import make_patients
from medrecon.synth.plan import Plan, draw_plan
from medrecon.synth.plant import COSMIC, PASCAL, expand, truth
from medrecon.synth.tables import tables
from medrecon.synth.writer import COSMIC_COLUMNS, PASCAL_COLUMNS, render, write_pair

__all__ = [
    "COSMIC_COLUMNS",
    "PASCAL_COLUMNS",
    "TRUTH_SCHEMA",
    "SyntheticPair",
    "generate_pair",
    "render_plan",
    "write_pair",
]

TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "kind": pl.String(),
    "substance": pl.String(),
    "cosmic_ids": pl.List(pl.String()),
    "pascal_ids": pl.List(pl.String()),
    "severity": pl.String(),
}


@dataclass(frozen=True)
class SyntheticPair:
    cosmic: pl.DataFrame  # Cosmic export, cosmic-v1 column names, all String
    pascal: pl.DataFrame  # Pascal export, pascal-v1 column names, all String
    truth: pl.DataFrame  # TRUTH_SCHEMA: one row per planted finding
    # internals for hand-written plans: truth with the plan line (``base``) it comes from,
    # and per export row its plan line, id and whether it is an active prescription
    plan_truth: pl.DataFrame | None = None
    cosmic_meta: pl.DataFrame | None = None
    pascal_meta: pl.DataFrame | None = None


def render_plan(plan: Plan, patients: pl.DataFrame, *, shuffle: bool = True) -> SyntheticPair:
    """Both exports and the truth for a plan (random or hand-written)."""
    tab = tables()
    cosmic, cosmic_meta = render(
        expand(plan, tab, COSMIC), tab, patients, COSMIC, first_id=100001, shuffle=shuffle
    )
    pascal, pascal_meta = render(
        expand(plan, tab, PASCAL), tab, patients, PASCAL, first_id=500001, shuffle=shuffle
    )
    found = truth(plan, tab, patients["patient_id"], cosmic_meta, pascal_meta)
    return SyntheticPair(
        cosmic=cosmic,
        pascal=pascal,
        truth=found.select(list(TRUTH_SCHEMA)).cast(TRUTH_SCHEMA),  # type: ignore[arg-type]
        plan_truth=found,
        cosmic_meta=cosmic_meta,
        pascal_meta=pascal_meta,
    )


def generate_pair(
    n_patients: int, seed: int, *, noise: bool = True, plant_rate: float = 0.3
) -> SyntheticPair:
    """A fictional export pair for ``n_patients`` patients, the same for the same seed.

    ``plant_rate`` is the share of lines that carry a planted difference (a few patients,
    ``plant_rate / 10`` of them, are missing from one export altogether). ``noise=False``
    writes both systems the same way (same product names, texts and id format, no
    self-care or history lines), which helps when debugging a kind.
    """
    if n_patients < 1:
        raise ValueError("n_patients must be at least 1")
    if not 0.0 <= plant_rate <= 1.0:
        raise ValueError("plant_rate must be between 0 and 1")
    rng = np.random.default_rng(seed)
    patients = make_patients(rng, n_patients, noise=noise)
    plan = draw_plan(rng, tables(), n_patients, noise=noise, plant_rate=plant_rate)
    return render_plan(plan, patients)

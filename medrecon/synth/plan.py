"""A plan: one row per clinical line of a patient, as integer codes, before rendering.

The random generator draws a plan with numpy; the sample exports write one by hand. Both
are rendered by the same code (``plant.expand`` and ``writer``), so the planted truth of
the samples and of the generator follow one set of rules.

Kinds (``kind``) and the meaning of ``side`` (0 = Cosmic, 1 = Pascal):
the side that is changed, that holds two lines (split, combination components,
duplicate), that is missing the patient, or that holds a history-only line.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from medrecon.synth.drugs import NON_PRESCRIPTION_KEYS
from medrecon.synth.tables import Tables, pick

CLEAN = 0
MISSING_IN_PASCAL = 1
MISSING_IN_COSMIC = 2
ENDED_IN_COSMIC = 3
ENDED_IN_PASCAL = 4
DOSE = 5
SCHEDULE = 6
AS_NEEDED = 7
STRENGTH_UNITS = 8  # 2 x 500 mg vs 1 x 1 g
STRENGTH_SPLIT = 9  # 50 + 25 mikrogram vs 75 mikrogram
STRENGTH_COMBO = 10  # combination product vs its components, equal totals
FORM = 11
ROUTE = 12
DUPLICATE = 13
NEEDS_REVIEW = 14  # an unreadable dosing text on one side
TEXT_CONFLICT = 15  # Pascal time columns disagree with its own Användning text
DISPENSING = 16
PATIENT_MISSING = 17
HISTORY_BOTH = 18  # ended on both sides: no finding
HISTORY_ONE = 19  # ended line on one side only: no finding
NON_PRESCRIPTION = 20  # Cosmic ward stock / self-care: never compared

KIND_NAME = {
    MISSING_IN_PASCAL: "missing_in_pascal",
    MISSING_IN_COSMIC: "missing_in_cosmic",
    ENDED_IN_COSMIC: "ended_in_cosmic",
    ENDED_IN_PASCAL: "ended_in_pascal",
    DOSE: "dose",
    SCHEDULE: "schedule",
    AS_NEEDED: "as_needed",
    STRENGTH_UNITS: "strength",
    STRENGTH_SPLIT: "strength",
    STRENGTH_COMBO: "strength",
    FORM: "form",
    ROUTE: "route",
    DUPLICATE: "duplicate",
    NEEDS_REVIEW: "needs_review",
    TEXT_CONFLICT: "needs_review",
    DISPENSING: "dispensing",
    PATIENT_MISSING: "patient_missing",
}
# Names used by hand-written plans (sample_exports/make_samples.py).
PLAN_KIND = {
    "clean": CLEAN,
    "missing_in_pascal": MISSING_IN_PASCAL,
    "missing_in_cosmic": MISSING_IN_COSMIC,
    "ended_in_cosmic": ENDED_IN_COSMIC,
    "ended_in_pascal": ENDED_IN_PASCAL,
    "dose": DOSE,
    "schedule": SCHEDULE,
    "as_needed": AS_NEEDED,
    "strength_units": STRENGTH_UNITS,
    "split": STRENGTH_SPLIT,
    "combination": STRENGTH_COMBO,
    "form": FORM,
    "route": ROUTE,
    "duplicate": DUPLICATE,
    "needs_review": NEEDS_REVIEW,
    "text_conflict": TEXT_CONFLICT,
    "dispensing": DISPENSING,
    "patient_missing": PATIENT_MISSING,
    "history_both": HISTORY_BOTH,
    "history_one": HISTORY_ONE,
    "non_prescription": NON_PRESCRIPTION,
}
# Relative weight of each line-level kind among planted lines (where it applies). Rare
# opportunities (combinations, splits) get more weight so every kind is well represented.
PLANT_WEIGHTS = {
    MISSING_IN_PASCAL: 1.0,
    MISSING_IN_COSMIC: 1.0,
    ENDED_IN_COSMIC: 1.0,
    ENDED_IN_PASCAL: 1.0,
    DOSE: 1.2,
    SCHEDULE: 1.0,
    AS_NEEDED: 4.0,
    STRENGTH_UNITS: 0.8,
    STRENGTH_SPLIT: 2.0,
    STRENGTH_COMBO: 8.0,
    FORM: 6.0,
    ROUTE: 6.0,
    DUPLICATE: 0.8,
    NEEDS_REVIEW: 0.6,
    TEXT_CONFLICT: 0.6,
    DISPENSING: 1.0,
}


@dataclass
class Plan:
    """Parallel integer arrays, one element per planned line (see module docstring)."""

    patient: np.ndarray  # index into the patients frame
    template: np.ndarray
    strength: np.ndarray  # global strength id
    regimen: np.ndarray  # global regimen id
    kind: np.ndarray
    side: np.ndarray
    c_product: np.ndarray  # choice among the template's products (any int, taken modulo)
    p_product: np.ndarray
    c_substance: np.ndarray  # choice among substance texts; -1 = empty column
    p_substance: np.ndarray
    c_form: np.ndarray  # choice among equivalent forms
    p_form: np.ndarray
    c_text: np.ndarray  # choice among the regimen's texts
    p_text: np.ndarray  # even: Pascal Användning empty beside time columns
    choice: np.ndarray  # free choice: half-tablet spelling, status, order type, texts
    noise: np.ndarray  # bit flags, see NOISE_* below
    start_days: np.ndarray  # days before the reference date the line started
    prescriber: np.ndarray

    def __len__(self) -> int:
        return len(self.patient)

    def take(self, index: np.ndarray) -> Plan:
        return Plan(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


NOISE_MISSPELL = 1  # misspelled Cosmic product name
NOISE_NO_ATC = 2  # Cosmic ATC empty
NOISE_NO_FORM = 4  # Cosmic Läkemedelsform empty
NOISE_NO_DISPENSING = 8  # Cosmic Dosdispenserad empty
NOISE_ABBREVIATION = 16  # "tabl" instead of "tablett" in the Cosmic product text
NOISE_EXPIRED = 32  # Pascal Sista giltighetsdag already passed (does not end a line)


def applicable(tab: Tables, template: np.ndarray, regimen: np.ndarray) -> dict[int, np.ndarray]:
    """For each line-level kind, where it can be planted on these lines."""
    a = tab.arrays
    mode = a["r_mode"][regimen]
    daily, prn = mode == 0, mode == 2
    dose_dispensed = a["t_dose_dispensed"][template] == 1
    everywhere = np.ones(len(template), dtype=bool)
    alt_form = tab.series["alt_form"].to_numpy()[template] != ""
    alt_route = tab.series["alt_route"].to_numpy()[template] != ""
    return {
        MISSING_IN_PASCAL: everywhere,
        MISSING_IN_COSMIC: everywhere,
        ENDED_IN_COSMIC: everywhere,
        ENDED_IN_PASCAL: everywhere,
        DOSE: a["r_changed"][regimen] >= 0,
        SCHEDULE: a["r_rescheduled"][regimen] >= 0,
        AS_NEEDED: (a["t_prn_reg"][template] >= 0)
        & (a["t_has_daily"][template] == 1)
        & (daily | prn),
        STRENGTH_UNITS: (a["t_pair_small"][template] >= 0) & (a["r_doubled"][regimen] >= 0),
        STRENGTH_SPLIT: (a["t_split_a"][template] >= 0) & daily,
        STRENGTH_COMBO: (a["t_combo_strength"][template] >= 0) & daily,
        FORM: alt_form,
        ROUTE: alt_route,
        DUPLICATE: everywhere,
        NEEDS_REVIEW: ~prn,
        TEXT_CONFLICT: daily & dose_dispensed & (a["r_changed"][regimen] >= 0),
        DISPENSING: daily & dose_dispensed,
    }


def _choose_groups(rng: np.random.Generator, tab: Tables, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct template groups per patient, weighted (Efraimidis-Spirakis keys)."""
    a = tab.arrays
    n_groups = int(a["t_group"].max()) + 1
    group_weight = np.bincount(a["t_group"], weights=a["t_weight"], minlength=n_groups)
    counts = rng.integers(5, 15, n)
    patients, groups = [], []
    for start in range(0, n, 50_000):  # bounded memory for the (patients x groups) keys
        stop = min(n, start + 50_000)
        keys = np.log1p(-rng.random((stop - start, n_groups), dtype=np.float32)) / group_weight
        order = np.argsort(-keys, axis=1)
        take = np.arange(n_groups)[None, :] < counts[start:stop, None]
        rows, cols = np.nonzero(take)
        patients.append(rows + start)
        groups.append(order[rows, cols])
    return np.concatenate(patients), np.concatenate(groups)


def _template_in_group(rng: np.random.Generator, tab: Tables, groups: np.ndarray) -> np.ndarray:
    a = tab.arrays
    order = np.lexsort((np.arange(len(a["t_group"])), a["t_group"]))
    g_sorted, w_sorted = a["t_group"][order], a["t_weight"][order]
    totals = np.bincount(g_sorted, weights=w_sorted)
    cum = np.zeros_like(w_sorted)
    for g in range(len(totals)):  # a few dozen groups: cumulative weight inside each
        mask = g_sorted == g
        cum[mask] = np.cumsum(w_sorted[mask]) / totals[g]
    position = np.searchsorted(g_sorted + cum, groups + rng.random(len(groups)) * 0.999999)
    return order[position]


def draw_plan(
    rng: np.random.Generator, tab: Tables, n: int, *, noise: bool, plant_rate: float
) -> Plan:
    a = tab.arrays
    patient, groups = _choose_groups(rng, tab, n)
    # self-care and ward-stock lines in Cosmic, never compared
    if noise:
        extra = np.nonzero(rng.random(n) < 0.15)[0]
        non_rx = np.array([i for i, d in enumerate(tab.drugs) if d.key in NON_PRESCRIPTION_KEYS])
        extra_templates = non_rx[rng.integers(0, len(non_rx), len(extra))]
    else:
        extra = extra_templates = np.zeros(0, dtype=np.int64)
    template = _template_in_group(rng, tab, groups)
    patient = np.concatenate([patient, extra])
    template = np.concatenate([template, extra_templates])
    order = np.argsort(patient, kind="stable")
    patient, template = patient[order], template[order]
    size = len(patient)
    ints = lambda: rng.integers(0, 1 << 20, size)  # noqa: E731
    strength = a["base_strength_ids"][
        pick(a["base_strength_offset"], a["base_strength_count"], template, ints())
    ]
    standing = a["standing_ids"][pick(a["standing_offset"], a["standing_count"], template, ints())]
    as_needed = (a["t_prn_reg"][template] >= 0) & (rng.random(size) < a["t_prn_share"][template])
    regimen = np.where(as_needed, a["t_prn_reg"][template], standing)
    kind = np.zeros(size, dtype=np.int64)
    is_extra = order >= size - len(extra)
    kind[is_extra] = NON_PRESCRIPTION
    # planted line-level kinds, weighted among those that apply to each line
    planted = (rng.random(size) < plant_rate) & ~is_extra
    # weighted choice among the kinds that apply (running maximum of u ** (1 / weight))
    allowed = applicable(tab, template, regimen)
    best = np.full(size, -1.0, dtype=np.float32)
    chosen = np.zeros(size, dtype=np.int64)
    for code, weight in PLANT_WEIGHTS.items():
        score = np.where(allowed[code], rng.random(size, dtype=np.float32) ** (1.0 / weight), -1.0)
        better = score > best
        best[better], chosen[better] = score[better], code
    kind[planted] = chosen[planted]
    if noise:
        history = (kind == CLEAN) & (rng.random(size) < 0.04)
        kind[history] = np.where(rng.random(history.sum()) < 0.5, HISTORY_BOTH, HISTORY_ONE)
    side = rng.integers(0, 2, size)
    # a few patients exist in one export only
    missing_patient = rng.random(n) < plant_rate * 0.1
    missing_side = rng.integers(0, 2, n)
    gone = missing_patient[patient]
    kind[gone & ~is_extra] = PATIENT_MISSING
    side[gone] = missing_side[patient[gone]]
    keep = ~(gone & is_extra & (side == 0))
    zeros = np.zeros(size, dtype=np.int64)
    noise_bits = zeros
    if noise:
        u = rng.random((size, 6))
        shares = np.array([0.05, 0.1, 0.05, 0.02, 0.05, 0.03])
        noise_bits = ((u < shares) * (1 << np.arange(6))).sum(axis=1)
        # a dispensing finding needs both sides' dispensing known (docs/judging.md)
        noise_bits[kind == DISPENSING] &= ~NOISE_NO_DISPENSING
    plan = Plan(
        patient=patient,
        template=template,
        strength=strength,
        regimen=regimen,
        kind=kind,
        side=side,
        c_product=ints() if noise else zeros,
        p_product=ints() if noise else zeros,
        c_substance=np.where(rng.random(size) < 0.05, -1, ints()) if noise else zeros,
        p_substance=ints() if noise else zeros,
        c_form=ints() if noise else zeros,
        p_form=ints() if noise else zeros,
        c_text=ints() if noise else zeros,
        p_text=ints() if noise else zeros,
        choice=ints(),
        noise=noise_bits,
        start_days=rng.integers(20, 3000, size),
        prescriber=ints(),
    )
    return plan.take(np.nonzero(keep)[0])

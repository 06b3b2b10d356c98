"""The drug templates and regimens compiled into flat lookup tables.

The generator draws integer codes per line with numpy and turns them into text with
``gather``/joins on these tables, so all per-text Python work happens here, once, over
the few hundred distinct templates, strengths and regimens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import polars as pl

from medrecon.synth.dosing import (
    UNREADABLE_TEXTS,
    Regimen,
    all_texts,
    changed_dose,
    column_values,
    doubled,
    explicit_texts,
    parse_pattern,
    parse_prn,
    rescheduled,
)
from medrecon.synth.drugs import DRUGS, Drug

MODE_CODE = {"daily": 0, "weekly": 1, "prn": 2, "special": 3}


def strength_mg(text: str) -> float:
    """Numeric strength in one unit per kind (mg for masses), NaN for combinations."""
    match = re.fullmatch(r"([\d ]+(?:,\d+)?) (mg|g|mikrogram|IE|E/ml|mg/ml|mikrogram/timme)", text)
    if not match:
        return float("nan")
    value = float(match.group(1).replace(" ", "").replace(",", "."))
    return value * {"g": 1000.0, "mikrogram": 0.001}.get(match.group(2), 1.0)


def drug_groups(drugs: tuple[Drug, ...]) -> list[int]:
    """Group number per template: templates of one group never meet in one patient.

    Templates are grouped when their ``group`` says so, and also when they share a
    substance (a combination shares each of its components) or an ATC code: two lines of
    one substance (or one ATC-7 code) in a patient's list are a ``duplicate``
    (docs/judging.md), which only the planted duplicates may produce.
    """
    parent = list(range(len(drugs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for t, drug in enumerate(drugs):
        labels = [f"group:{drug.group or drug.key}", f"atc:{drug.atc}"]
        parts = drug.duplicate_substances or tuple(drug.substance.split(" + "))
        labels += [f"substance:{part}" for part in parts]
        for label in labels:
            other = first_with.setdefault(label, t)
            parent[root(t)] = root(other)
    numbers: dict[int, int] = {}
    return [numbers.setdefault(root(t), len(numbers)) for t in range(len(drugs))]


class _Flat:
    """A list of strings grouped per owner: offsets and counts index into ``values``."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.offset: list[int] = []
        self.count: list[int] = []

    def add(self, items: list[str]) -> None:
        self.offset.append(len(self.values))
        self.count.append(len(items))
        self.values.extend(items)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, pl.Series]:
        return np.array(self.offset), np.array(self.count), pl.Series(self.values, dtype=pl.String)


@dataclass
class Tables:
    drugs: tuple[Drug, ...]
    regimens: list[Regimen] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    series: dict[str, pl.Series] = field(default_factory=dict)

    def regimen_id(self, reg: Regimen) -> int:
        if reg not in self._index:
            self._index[reg] = len(self.regimens)
            self.regimens.append(reg)
        return self._index[reg]

    def __post_init__(self) -> None:
        self._index: dict[Regimen, int] = {}


def _build() -> Tables:
    tables = Tables(DRUGS)
    a = tables.arrays
    key_index = {d.key: i for i, d in enumerate(DRUGS)}
    strengths: list[str] = []
    strength_value: list[float] = []
    strength_owner: dict[tuple[int, str], int] = {}
    base_strength, products, alt_products, substance_texts, forms = (_Flat() for _ in range(5))
    standing = _Flat()  # regimen ids as strings, converted below
    per_t: dict[str, list[int]] = {
        name: []
        for name in (
            "group", "prn_reg", "pair_small", "pair_large", "split_a", "split_b", "split_c",
            "combo_strength", "comp_a", "comp_a_strength", "comp_b", "comp_b_strength",
            "dose_dispensed", "high_risk", "has_daily",
        )
    }  # fmt: skip
    weights: list[float] = []
    misspelled: list[str] = []
    for t, drug in enumerate(DRUGS):
        ids = []
        for text in drug.strengths + drug.extra_strengths:
            strength_owner[(t, text)] = len(strengths)
            ids.append(len(strengths))
            strengths.append(text)
            strength_value.append(strength_mg(text))
        base_strength.add([str(i) for i in ids[: len(drug.strengths)]])
        products.add(list(drug.products))
        alt_products.add(list(drug.alt_products or drug.products))
        misspelled.extend(
            p.replace(*drug.misspelling) if drug.misspelling else p for p in drug.products
        )
        substance_texts.add(list(drug.substance_texts))
        forms.add([drug.form, *drug.equivalent_forms])
        regs = [parse_pattern(p, drug.unit) for p in drug.daily]
        regs += [Regimen("weekly", drug.unit, amount=w) for w in drug.weekly]
        regs += [Regimen("special", drug.unit, text=s) for s in drug.special]
        standing.add([str(tables.regimen_id(r)) for r in regs])
        per_t["prn_reg"].append(
            tables.regimen_id(parse_prn(drug.prn, drug.unit)) if drug.prn else -1
        )
        per_t["has_daily"].append(int(bool(drug.daily)))
        per_t["dose_dispensed"].append(int(drug.dispensing == "dose"))
        per_t["high_risk"].append(int(drug.high_risk))
        weights.append(drug.weight)
        by_value = {strength_value[i]: i for i in ids if not np.isnan(strength_value[i])}
        pair = next(
            ((by_value[v], by_value[2 * v]) for v in sorted(by_value) if 2 * v in by_value), None
        )
        per_t["pair_small"].append(pair[0] if pair else -1)
        per_t["pair_large"].append(pair[1] if pair else -1)
        split = next(
            (
                (by_value[x], by_value[y], by_value[x + y])
                for x in sorted(by_value)
                for y in sorted(by_value)
                if x < y and x + y in by_value
            ),
            None,
        )
        for name, value in zip(
            ("split_a", "split_b", "split_c"), split or (-1, -1, -1), strict=True
        ):
            per_t[name].append(value)
    # combinations: map a combination strength onto its components' strengths
    for t, drug in enumerate(DRUGS):
        found = (-1, -1, -1, -1, -1)
        for text in drug.strengths if drug.components else ():
            parts = text.split("/")
            comps = [key_index[k] for k in drug.components]
            # a combination's strength text lists components in the order of `components`
            owners = [strength_owner.get((c, p)) for c, p in zip(comps, parts, strict=True)]
            if all(o is not None for o in owners):
                found = (strength_owner[(t, text)], comps[0], owners[0], comps[1], owners[1])  # type: ignore[assignment]
                break
        for name, value in zip(
            ("combo_strength", "comp_a", "comp_a_strength", "comp_b", "comp_b_strength"),
            found,
            strict=True,
        ):
            per_t[name].append(value)
    unreadable = [
        tables.regimen_id(Regimen("special", "tablett", text=s)) for s in UNREADABLE_TEXTS
    ]
    # transforms of the templates' own regimens; what they produce is only ever rendered
    base_count = len(tables.regimens)
    transforms: dict[str, list[int]] = {"doubled": [], "rescheduled": [], "changed": []}
    for reg in list(tables.regimens):
        for name, func in (
            ("doubled", doubled),
            ("rescheduled", rescheduled),
            ("changed", changed_dose),
        ):
            new = func(reg)
            transforms[name].append(tables.regimen_id(new) if new is not None else -1)
    for values in transforms.values():
        values.extend([-1] * (len(tables.regimens) - base_count))
    regs = tables.regimens
    texts_all, texts_explicit = _Flat(), _Flat()
    columns: list[str] = []
    for reg in regs:
        texts_all.add(all_texts(reg))
        texts_explicit.add(explicit_texts(reg))
        cells = column_values(reg) if reg.mode == "daily" else [("", "", "", "")] * 3
        columns.extend(cell for variant in cells for cell in variant)
    per_t["group"] = drug_groups(DRUGS)
    for name, values in per_t.items():
        a[f"t_{name}"] = np.array(values, dtype=np.int64)
    a["t_weight"] = np.array(weights)
    a["t_prn_share"] = np.array(
        [d.prn_share if d.daily or d.weekly or d.special else 1.0 for d in DRUGS]
    )
    a["unreadable"] = np.array(unreadable)
    a["r_mode"] = np.array([MODE_CODE[r.mode] for r in regs])
    for name, values in transforms.items():
        a[f"r_{name}"] = np.array(values, dtype=np.int64)
    flats = {
        "base_strength": base_strength,
        "product": products,
        "alt_product": alt_products,
        "substance_text": substance_texts,
        "form": forms,
        "standing": standing,
        "text_all": texts_all,
        "text_explicit": texts_explicit,
    }
    s = tables.series
    for name, flat in flats.items():
        a[f"{name}_offset"], a[f"{name}_count"], s[name] = flat.arrays()
    a["base_strength_ids"] = s.pop("base_strength").cast(pl.Int64).to_numpy()
    a["standing_ids"] = s.pop("standing").cast(pl.Int64).to_numpy()
    s["strength"] = pl.Series(strengths, dtype=pl.String)
    s["product_misspelled"] = pl.Series(misspelled, dtype=pl.String)
    s["columns"] = pl.Series(columns, dtype=pl.String)
    s["atc"] = pl.Series([d.atc for d in DRUGS])
    s["substance"] = pl.Series([d.substance for d in DRUGS])
    s["route"] = pl.Series([d.route for d in DRUGS])
    s["alt_route"] = pl.Series([d.alt_route or "" for d in DRUGS])
    s["alt_form"] = pl.Series([d.alt_form or "" for d in DRUGS])
    s["purpose"] = pl.Series([d.purpose for d in DRUGS])
    return tables


@lru_cache(maxsize=1)
def tables() -> Tables:
    return _build()


def pick(
    offset: np.ndarray, count: np.ndarray, owner: np.ndarray, choice: np.ndarray
) -> np.ndarray:
    """Flat index of item ``choice % count`` of each owner's list (vectorised)."""
    return offset[owner] + choice % np.maximum(count[owner], 1)

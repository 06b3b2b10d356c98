"""The substance catalogue: substances, salts, spellings, brands and combinations from rules/.

The data (``rules/substances.csv``, ``rules/combinations.csv``) is written and reviewed by
pharmacists; this module only reads it into lookup tables. A region adds brands without
touching code through a local file with the same columns, named by the
``MEDRECON_LOCAL_RULES`` environment variable (several paths separated by ``os.pathsep``)
or passed as ``local_files``. See ``rules/README.md``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medrecon.errors import MedreconError
from medrecon.normalise.rule_tables import (
    MatchingSettings,
    normalise_atc,
    normalise_name,
    read_atc_variants,
    read_lookalikes,
    read_matching_settings,
    read_rows,
    read_strength_equivalents,
    split_cell,
)
from medrecon.rules_path import rules_dir

LOCAL_RULES_ENV = "MEDRECON_LOCAL_RULES"

# Kinds of catalogue name: a substance word (name, salt, spelling) or a brand / product name.
KIND_SUBSTANCE = "substance"
KIND_BRAND = "brand"


@dataclass(frozen=True)
class NameEntry:
    """What one normalised name in the catalogue stands for."""

    substances: tuple[str, ...]  # sorted
    kind: str  # KIND_SUBSTANCE | KIND_BRAND


@dataclass
class Catalogue:
    """Lookup tables built from the rule files (read-only once built)."""

    names: dict[str, NameEntry] = field(default_factory=dict)
    substance_atc: dict[str, str] = field(default_factory=dict)  # substance -> primary ATC
    set_atc: dict[tuple[str, ...], str] = field(default_factory=dict)  # combination -> ATC
    atc_index: dict[str, tuple[str, ...]] = field(default_factory=dict)  # unambiguous ATCs only
    npl_index: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # combination (sorted) -> its components in the order the product writes the strengths
    # ("paracetamol", "kodein" for Citodon 500 mg/30 mg); absent when rows disagree
    component_order: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    # combination -> the unit its strengths are written in ("mikrog/dos" for Symbicort),
    # so that "Symbicort TH 160/4,5" can be read
    strength_unit_of: dict[tuple[str, ...], str] = field(default_factory=dict)
    # combination -> the components that count for duplicates (Movicol: makrogol only)
    duplicate_components: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    settings: MatchingSettings = field(default_factory=MatchingSettings)
    # (substance, form class or "", brand name or "") -> ATC, from rules/atc_variants.csv
    atc_variants: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # substance -> the substances it must never be taken for (rules/lookalikes.csv)
    lookalikes: dict[str, frozenset[str]] = field(default_factory=dict)
    # (substance, unit) -> {written value: the value of the same dose in the reference
    # labelling}, and (substance, unit) -> (reference unit, factor) for whole-unit
    # conversions (kolekalciferol IE -> mg), from rules/strength_equivalents.csv
    same_dose: dict[tuple[str, str], dict[float, float]] = field(default_factory=dict)
    unit_conversions: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    max_name_tokens: int = 1
    sources: tuple[str, ...] = ()

    @property
    def substances(self) -> frozenset[str]:
        return frozenset(self.substance_atc) | {
            s for entry in self.names.values() for s in entry.substances
        }

    def atc_for(
        self, substances: Sequence[str], form_class: str = "", brands: Sequence[str] = ()
    ) -> str | None:
        """The ATC code of a product: a brand's or a form's own code before the substance's.

        Hydrokortison is H02AB09 as tablets and D07AA02 as a cream; Magnecyl (500 mg) is
        N02BA01 where Trombyl (75 mg) is B01AC06 (``rules/atc_variants.csv``).
        """
        key = tuple(sorted(substances))
        if len(key) == 1:
            variants = self.atc_variants
            for brand in brands:
                for form in (form_class, ""):
                    found = variants.get((key[0], form, normalise_name(brand)))
                    if found:
                        return found
            found = variants.get((key[0], form_class, ""))
            return found or self.substance_atc.get(key[0]) or None
        return self.set_atc.get(key)


# --- reading ----------------------------------------------------------------------------


class _Builder:
    def __init__(self) -> None:
        self.names: dict[str, NameEntry] = {}
        self.origin: dict[str, str] = {}
        self.substance_atc: dict[str, str] = {}
        self.other_atc: dict[str, set[str]] = {}
        self.set_atc: dict[tuple[str, ...], str] = {}
        self.strength_unit: dict[tuple[str, ...], str] = {}
        self.duplicate_components: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.npl: dict[str, tuple[str, ...]] = {}
        self.conflicts: list[str] = []
        self.order: dict[tuple[str, ...], tuple[str, ...] | None] = {}

    def add_name(self, name: str, entry: NameEntry, where: str) -> None:
        key = normalise_name(name)
        if not key:
            return
        old = self.names.get(key)
        if old is None or old == entry:
            self.names[key] = entry
            self.origin[key] = where
        elif old.substances == entry.substances:
            # same substance(s): a brand spelled like the substance stays a substance word
            if entry.kind == KIND_SUBSTANCE:
                self.names[key] = entry
        else:
            self.conflicts.append(
                f"'{name}' ({where}) betyder {' + '.join(entry.substances)}, men "
                f"{self.origin[key]} säger {' + '.join(old.substances)}"
            )

    def add_substance_row(self, row: dict[str, str], where: str) -> None:
        name = normalise_name(row.get("substans", ""))
        if not name:
            raise MedreconError(f"{where}: kolumnen 'substans' är tom.")
        atc = normalise_atc(row.get("atc"))
        if row.get("atc") and atc is None:
            raise MedreconError(f"{where}: '{row['atc']}' är ingen giltig ATC-kod.")
        if atc and not self.substance_atc.get(name):
            self.substance_atc[name] = atc
        else:
            self.substance_atc.setdefault(name, "")
            if atc and atc != self.substance_atc[name]:
                self.other_atc.setdefault(name, set()).add(atc)
        for code in split_cell(row.get("övriga_atc")):
            other = normalise_atc(code)
            if other is None:
                raise MedreconError(f"{where}: '{code}' är ingen giltig ATC-kod.")
            self.other_atc.setdefault(name, set()).add(other)
        entry = NameEntry((name,), KIND_SUBSTANCE)
        self.add_name(name, entry, where)
        for word in split_cell(row.get("salter_och_estrar")) + split_cell(row.get("stavningar")):
            self.add_name(word, entry, where)
        for brand in split_cell(row.get("handelsnamn")):
            self.add_name(brand, NameEntry((name,), KIND_BRAND), where)
        for npl in split_cell(row.get("npl_id")):
            self.npl[npl] = (name,)

    def add_combination_row(self, row: dict[str, str], where: str) -> None:
        listed = tuple(dict.fromkeys(normalise_name(p) for p in split_cell(row.get("komponenter"))))
        parts = tuple(sorted(listed))
        if len(parts) < 2:
            raise MedreconError(f"{where}: en kombination behöver minst två komponenter.")
        # Two rows listing the same combination in different orders: which strength belongs
        # to which component is then unknown (never guessed).
        if parts in self.order and self.order[parts] != listed:
            self.order[parts] = None
        else:
            self.order.setdefault(parts, listed)
        atc = normalise_atc(row.get("atc"))
        if atc:
            self.set_atc.setdefault(parts, atc)
        unit = (row.get("styrkeenhet") or "").strip()
        if unit:
            self.strength_unit.setdefault(parts, unit)
        counted = tuple(sorted(normalise_name(p) for p in split_cell(row.get("dubblettkontroll"))))
        if counted:
            if not set(counted) <= set(parts):
                raise MedreconError(f"{where}: dubblettkontroll nämner en substans som inte ingår.")
            self.duplicate_components.setdefault(parts, counted)
        for name in split_cell(row.get("handelsnamn")):
            first = normalise_name(name).split(" ")[0]
            generic = first in self.names and self.names[first].kind == KIND_SUBSTANCE
            self.add_name(name, NameEntry(parts, KIND_SUBSTANCE if generic else KIND_BRAND), where)
        for npl in split_cell(row.get("npl_id")):
            self.npl[npl] = parts

    def unknown_components(self) -> list[str]:
        known = set(self.substance_atc)
        used = {s for entry in self.names.values() for s in entry.substances}
        return sorted(used - known)


def _local_paths(local_files: Iterable[str | Path] | None) -> tuple[Path, ...]:
    if local_files is not None:
        return tuple(Path(p) for p in local_files)
    env = os.environ.get(LOCAL_RULES_ENV, "").strip()
    return tuple(Path(p) for p in env.split(os.pathsep) if p.strip()) if env else ()


def _add_file(builder: _Builder, path: Path, *, local: bool) -> None:
    if local and not path.is_file():
        raise MedreconError(
            f"Den lokala regelfilen {path} finns inte (angiven i {LOCAL_RULES_ENV} "
            "eller på kommandoraden)."
        )
    rows = read_rows(path)
    is_combination = bool(rows) and "komponenter" in rows[0]
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        where = f"{path.name} rad {number}"
        if is_combination:
            builder.add_combination_row(row, where)
        else:
            builder.add_substance_row(row, where)


def build_catalogue(folder: Path, local: Sequence[Path] = ()) -> Catalogue:
    """Read the catalogue from ``folder`` plus local additions (raises MedreconError)."""
    builder = _Builder()
    _add_file(builder, folder / "substances.csv", local=False)
    _add_file(builder, folder / "combinations.csv", local=False)
    for path in local:
        _add_file(builder, path, local=True)
    if builder.conflicts:
        raise MedreconError(
            "Substanskatalogen säger emot sig själv:\n  " + "\n  ".join(builder.conflicts)
        )
    unknown = builder.unknown_components()
    if unknown:
        raise MedreconError(
            "Kombinationer nämner substanser som saknas i substances.csv: " + ", ".join(unknown)
        )
    # An ATC code resolves a line only when it means exactly one substance set.
    by_atc: dict[str, set[tuple[str, ...]]] = {}
    for name, atc in builder.substance_atc.items():
        for code in ({atc} if atc else set()) | builder.other_atc.get(name, set()):
            by_atc.setdefault(code, set()).add((name,))
    for parts, atc in builder.set_atc.items():
        by_atc.setdefault(atc, set()).add(parts)
    atc_index = {code: next(iter(sets)) for code, sets in by_atc.items() if len(sets) == 1}
    same_dose, conversions = read_strength_equivalents(
        folder / "strength_equivalents.csv", builder.substance_atc
    )
    return Catalogue(
        same_dose=same_dose,
        unit_conversions=conversions,
        lookalikes=read_lookalikes(folder / "lookalikes.csv", builder.substance_atc),
        atc_variants=read_atc_variants(folder / "atc_variants.csv", builder.substance_atc),
        names=builder.names,
        substance_atc=builder.substance_atc,
        set_atc=builder.set_atc,
        atc_index=atc_index,
        npl_index=builder.npl,
        component_order={k: v for k, v in builder.order.items() if v is not None},
        strength_unit_of=builder.strength_unit,
        duplicate_components=builder.duplicate_components,
        settings=read_matching_settings(folder / "matching.toml"),
        max_name_tokens=max((k.count(" ") + 1 for k in builder.names), default=1),
        sources=tuple(str(p) for p in local),
    )


@functools.lru_cache(maxsize=8)
def _cached(folder: str, local: tuple[str, ...]) -> Catalogue:
    return build_catalogue(Path(folder), [Path(p) for p in local])


def load_catalogue(
    folder: str | Path | None = None, local_files: Iterable[str | Path] | None = None
) -> Catalogue:
    """The catalogue from ``rules/`` (or ``folder``) plus the region's local additions.

    Cached per folder and local-file list: a nightly run reads the files once.
    """
    base = Path(folder) if folder is not None else rules_dir()
    return _cached(str(base), tuple(str(p) for p in _local_paths(local_files)))

"""Reading the rule files behind the catalogue: names folded for lookup, ATC codes, the
';'-separated tables (with their allowed columns) and ``matching.toml``.

Everything here only reads and checks; ``catalogue`` builds the lookup tables from it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medrecon.errors import MedreconError
from medrecon.rules_files import TomlShape, read_rules_toml, rules_error

_FOLD = str.maketrans({"é": "e", "è": "e", "ê": "e", "ü": "u", "ï": "i", "á": "a", "à": "a"})
_NON_WORD = re.compile(r"[^0-9a-zåäöµμ]+")
_ATC = re.compile(r"^[A-Z][0-9]{2}[A-Z]{0,2}[0-9]{0,2}$")


def normalise_name(text: str) -> str:
    """Lower case, accents folded (except å ä ö), punctuation to single spaces."""
    return " ".join(_NON_WORD.sub(" ", text.lower().translate(_FOLD)).split())


def normalise_atc(text: str | None) -> str | None:
    """Upper-case ATC without spaces, or None when it does not look like an ATC code."""
    if not text:
        return None
    code = "".join(text.split()).upper()
    return code if _ATC.match(code) else None


@dataclass
class MatchingSettings:
    fuzzy_threshold: float = 88.0
    fuzzy_margin: float = 4.0
    min_fuzzy_length: int = 6
    ignore_words: frozenset[str] = frozenset()


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a ';'-separated file; UTF-8 (with or without BOM) or Excel's Windows-1252."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MedreconError(f"Regelfilen {path} kan inte läsas ({exc.strerror}).") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    lines = text.splitlines()
    if not lines:
        return []
    dialect_sep = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=dialect_sep)
    rows = []
    for row in reader:
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in row.items()})
    return rows


def read_rule_rows(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a rules CSV whose header may only hold ``columns``."""
    rows = read_rows(path)
    if rows:
        unknown = set(rows[0]) - set(columns)
        if unknown:
            raise MedreconError(
                f"{path.name} rad 1: okänd kolumn {sorted(unknown)[0]!r} "
                f"(kända: {', '.join(columns)})."
            )
    return [(n, row) for n, row in enumerate(rows, start=2) if any(row.values())]


def split_cell(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


_MATCHING_SHAPE = TomlShape(
    sections={},
    values=frozenset({"fuzzy_threshold", "fuzzy_margin", "min_fuzzy_length", "ignore_words"}),
)


def read_matching_settings(path: Path) -> MatchingSettings:
    """``matching.toml``: how texts are matched by similarity (one reader for the
    normaliser's substance matching and the engine's fuzzy pairing tier)."""
    if not path.is_file():
        return MatchingSettings()
    data = read_rules_toml(path, _MATCHING_SHAPE)
    base = MatchingSettings()
    try:
        threshold = float(data.get("fuzzy_threshold", base.fuzzy_threshold))
        margin = float(data.get("fuzzy_margin", base.fuzzy_margin))
        min_length = int(data.get("min_fuzzy_length", base.min_fuzzy_length))
    except (TypeError, ValueError) as exc:
        raise rules_error(path, f"ett värde är inget tal ({exc}).") from exc
    if not 0 < threshold <= 100:
        raise rules_error(path, "fuzzy_threshold ska vara en likhet mellan 0 och 100.")
    return MatchingSettings(
        fuzzy_threshold=threshold,
        fuzzy_margin=margin,
        min_fuzzy_length=min_length,
        ignore_words=frozenset(normalise_name(w) for w in data.get("ignore_words", [])),
    )


ATC_VARIANT_COLUMNS = ("substans", "beredningsklass", "handelsnamn", "atc", "kommentar")


def read_atc_variants(path: Path, known: dict[str, str]) -> dict[tuple[str, str, str], str]:
    """``atc_variants.csv``: a substance's ATC code for one form class or one brand."""
    if not path.is_file():
        return {}
    variants: dict[tuple[str, str, str], str] = {}
    for number, row in enumerate(read_rows(path), start=2):
        unknown = set(row) - set(ATC_VARIANT_COLUMNS)
        if unknown:
            raise MedreconError(
                f"{path.name} rad 1: okänd kolumn {sorted(unknown)[0]!r} "
                f"(kända: {', '.join(ATC_VARIANT_COLUMNS)})."
            )
        name = normalise_name(row.get("substans", ""))
        atc = normalise_atc(row.get("atc"))
        if name not in known:
            raise MedreconError(
                f"{path.name} rad {number}: okänd substans {row.get('substans')!r}."
            )
        if atc is None:
            raise MedreconError(f"{path.name} rad {number}: {row.get('atc')!r} är ingen ATC-kod.")
        form = row.get("beredningsklass", "").strip()
        brand = normalise_name(row.get("handelsnamn", ""))
        variants[(name, form, brand)] = atc
    return variants


EQUIVALENT_COLUMNS = ("substans", "styrka", "samma_dos_som", "kommentar")


def read_strength_equivalents(
    path: Path, known: dict[str, str]
) -> tuple[dict[tuple[str, str], dict[float, float]], dict[tuple[str, str], tuple[str, float]]]:
    """``strength_equivalents.csv``: labelled strengths that are the same dose.

    "metoprolol; 47,5 mg; 50 mg" (succinate labelled as succinate against the tartrate
    label): the written value maps to the reference value. Two different units
    ("kolekalciferol; 800 IE; 20 mikrog") give a conversion for every value of that unit.
    """
    from medrecon.normalise.strength import parse_strength  # strength reads units.toml

    same: dict[tuple[str, str], dict[float, float]] = {}
    conversions: dict[tuple[str, str], tuple[str, float]] = {}
    if not path.is_file():
        return same, conversions
    for number, row in enumerate(read_rows(path), start=2):
        unknown = set(row) - set(EQUIVALENT_COLUMNS)
        if unknown:
            raise MedreconError(
                f"{path.name} rad 1: okänd kolumn {sorted(unknown)[0]!r} "
                f"(kända: {', '.join(EQUIVALENT_COLUMNS)})."
            )
        name = normalise_name(row.get("substans", ""))
        if name not in known:
            raise MedreconError(
                f"{path.name} rad {number}: okänd substans {row.get('substans')!r}."
            )
        written, reference = (
            parse_strength(row.get("styrka")),
            parse_strength(row.get("samma_dos_som")),
        )
        if written is None or reference is None or len(written.values) != 1:
            raise MedreconError(f"{path.name} rad {number}: styrkorna kan inte läsas.")
        if len(reference.values) != 1 or written.values[0] <= 0:
            raise MedreconError(f"{path.name} rad {number}: styrkorna kan inte läsas.")
        if written.unit == reference.unit:
            same.setdefault((name, written.unit), {})[round(written.values[0], 9)] = (
                reference.values[0]
            )
        else:
            factor = reference.values[0] / written.values[0]
            conversions[(name, written.unit)] = (reference.unit, factor)
    return same, conversions


LOOKALIKE_COLUMNS = ("substans_a", "substans_b", "kommentar")


def read_lookalikes(path: Path, known: dict[str, str]) -> dict[str, frozenset[str]]:
    """``lookalikes.csv``: pairs of substances that a misspelling must never turn into
    each other (prednison/prednisolon); both must be in the catalogue."""
    if not path.is_file():
        return {}
    pairs: dict[str, set[str]] = {}
    for number, row in enumerate(read_rows(path), start=2):
        unknown = set(row) - set(LOOKALIKE_COLUMNS)
        if unknown:
            raise MedreconError(
                f"{path.name} rad 1: okänd kolumn {sorted(unknown)[0]!r} "
                f"(kända: {', '.join(LOOKALIKE_COLUMNS)})."
            )
        a, b = normalise_name(row.get("substans_a", "")), normalise_name(row.get("substans_b", ""))
        for name in (a, b):
            if name not in known:
                raise MedreconError(f"{path.name} rad {number}: okänd substans {name!r}.")
        if a == b:
            raise MedreconError(f"{path.name} rad {number}: samma substans två gånger.")
        pairs.setdefault(a, set()).add(b)
        pairs.setdefault(b, set()).add(a)
    return {name: frozenset(others) for name, others in pairs.items()}

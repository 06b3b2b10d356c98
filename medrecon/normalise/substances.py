"""Resolving substance and product texts to substances, exact first, then by similarity.

A text is split into parts (``Levodopa + Benserazid``, ``Losartan/Hydroklortiazid``);
every part must be recognised, or the whole text stays unresolved. Within a part the
longest catalogue name wins (``Seloken ZOC`` before ``Seloken``). Parts with no exact
name are compared with rapidfuzz against every catalogue name, on distinct strings only,
and accepted only above the threshold and with a clear margin over any other substance
(``rules/matching.toml``). Never a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA

from medrecon.normalise.catalogue import KIND_BRAND, Catalogue
from medrecon.normalise.forms import expand_abbreviations, form_words
from medrecon.normalise.rule_tables import normalise_name
from medrecon.normalise.strength import strip_strengths, unit_tables

# Resolution methods, in the order a line is tried (RESOLVED_EXTRA_SCHEMA "resolution").
NPL, ATC, SUBSTANCE, BRAND, GENERIC, FUZZY, UNRESOLVED = (
    "npl",
    "atc",
    "substance",
    "brand",
    "generic",
    "fuzzy",
    "unresolved",
)

COLUMN_SUBSTANCE = "substance"
COLUMN_PRODUCT = "product"

_SUBSTANCE_SPLIT = re.compile(r"\s*(?:\+|/|,|;|&|\boch\b|\bsamt\b)\s*")
_PRODUCT_SPLIT = re.compile(r"\s*(?:\+|/|&)\s*")
_FUZZY_CHUNK = 2000


@dataclass(frozen=True)
class Resolution:
    substances: tuple[str, ...]  # sorted; empty when unresolved
    method: str  # substance | brand | generic | fuzzy | unresolved (npl/atc: by the pipeline)
    score: float | None  # 1.0 exact, similarity / 100 for fuzzy, None when unresolved
    matched: tuple[str, ...] = ()  # the catalogue names that decided it (for `explain`)


UNRESOLVED_RESOLUTION = Resolution((), UNRESOLVED, None)


@dataclass
class _Part:
    tokens: list[str]  # all tokens of the part
    content: list[str]  # tokens left after form words, units, numbers and ignore words


def _noise_words(catalogue: Catalogue) -> frozenset[str]:
    units = unit_tables()
    return (
        form_words()
        | frozenset(units.quantity)
        | frozenset(units.per)
        | (catalogue.settings.ignore_words)
    )


def _split_parts(text: str, column: str, noise: frozenset[str]) -> list[_Part]:
    if column == COLUMN_PRODUCT:
        cleaned = strip_strengths(expand_abbreviations(text))
        raw_parts = _PRODUCT_SPLIT.split(cleaned)
    else:
        raw_parts = _SUBSTANCE_SPLIT.split(text.lower())
    parts = []
    for raw in raw_parts:
        tokens = normalise_name(raw).split()
        content = [t for t in tokens if t not in noise and not t.isdigit()]
        if content:
            parts.append(_Part(tokens, content))
    return parts


def _scan(tokens: list[str], catalogue: Catalogue) -> list[tuple[str, tuple[str, ...], str]]:
    """Longest catalogue names found left to right: (name, substances, kind)."""
    found = []
    i = 0
    while i < len(tokens):
        for n in range(min(catalogue.max_name_tokens, len(tokens) - i), 0, -1):
            key = " ".join(tokens[i : i + n])
            entry = catalogue.names.get(key)
            if entry is not None:
                found.append((key, entry.substances, entry.kind))
                i += n
                break
        else:
            i += 1
    return found


def _candidates(part: _Part, min_length: int) -> list[str]:
    words = part.content
    options = [words[0]] if words else []
    if len(words) >= 2:
        options.append(f"{words[0]} {words[1]}")
    return [c for c in options if len(c.replace(" ", "")) >= min_length]


class _FuzzyIndex:
    """Catalogue names as rapidfuzz choices, each tagged with its substance-set group."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.choices = list(catalogue.names)
        sets = [catalogue.names[k].substances for k in self.choices]
        group_of: dict[tuple[str, ...], int] = {}
        self.groups = np.array([group_of.setdefault(s, len(group_of)) for s in sets])
        self.sets = sets


_INDEX_CACHE: dict[int, tuple[Catalogue, _FuzzyIndex]] = {}


def _fuzzy_index(catalogue: Catalogue) -> _FuzzyIndex:
    cached = _INDEX_CACHE.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        cached = (catalogue, _FuzzyIndex(catalogue))
        _INDEX_CACHE[id(catalogue)] = cached
    return cached[1]


def fuzzy_lookup(
    strings: Iterable[str], catalogue: Catalogue
) -> dict[str, tuple[str, tuple[str, ...], float]]:
    """Best catalogue name for each distinct string that passes threshold and margin.

    Returns ``{string: (name, substances, score)}`` for the accepted ones only.
    """
    queries = sorted(set(strings))
    if not queries or not catalogue.names:
        return {}
    index = _fuzzy_index(catalogue)
    settings = catalogue.settings
    accepted: dict[str, tuple[str, tuple[str, ...], float]] = {}
    for start in range(0, len(queries), _FUZZY_CHUNK):
        chunk = queries[start : start + _FUZZY_CHUNK]
        scores = process.cdist(
            chunk,
            index.choices,
            scorer=fuzz.ratio,
            processor=utils.default_process,
            dtype=np.float32,
            workers=1,
        )
        best = scores.argmax(axis=1)
        best_score = scores[np.arange(len(chunk)), best]
        best_group = index.groups[best]
        other = np.where(index.groups[None, :] == best_group[:, None], -1.0, scores)
        runner_up = other.max(axis=1)
        ok = (best_score >= settings.fuzzy_threshold) & (
            best_score - runner_up >= settings.fuzzy_margin
        )
        for row in np.flatnonzero(ok):
            name = index.choices[int(best[row])]
            accepted[chunk[row]] = (name, index.sets[int(best[row])], float(best_score[row]))
        typos = _typing_errors([q for q in chunk if q not in accepted], index, catalogue)
        accepted.update(typos)
    return accepted


def _typing_errors(
    queries: list[str], index: _FuzzyIndex, catalogue: Catalogue
) -> dict[str, tuple[str, tuple[str, ...], float]]:
    """Names one typing error away from one catalogue name ("Eliqius", "Trombly").

    A swapped pair of letters is one error (OSA distance); words of nine letters or more
    may have two ("Citolapram"). Accepted only when the closest name is unique to one
    substance, starts with the same letter, and is not one of a look-alike pair whose
    other member is nearly as close (``rules/lookalikes.csv``).
    """
    if not queries:
        return {}
    processed = [utils.default_process(q) for q in queries]
    names = [utils.default_process(c) for c in index.choices]
    distances = process.cdist(processed, names, scorer=OSA.distance, dtype=np.int32, workers=1)
    found: dict[str, tuple[str, tuple[str, ...], float]] = {}
    for row, query in enumerate(processed):
        if len(query) < 5:
            continue
        limit = 2 if len(query) >= 9 else 1
        best = int(distances[row].min())
        if best == 0 or best > limit:
            continue
        closest = np.flatnonzero(distances[row] == best)
        groups = {int(index.groups[i]) for i in closest}
        if len(groups) != 1:
            continue
        choice = int(closest[0])
        if names[choice][:1] != query[:1]:
            continue
        substances = index.sets[choice]
        rivals = set().union(*(catalogue.lookalikes.get(s, frozenset()) for s in substances))
        near_rival = any(
            int(distances[row][i]) <= best + 1 and set(index.sets[i]) & rivals
            for i in np.flatnonzero(distances[row] <= best + 1)
        )
        if near_rival:
            continue
        score = 100.0 * (1.0 - best / max(len(query), 1))
        found[queries[row]] = (index.choices[choice], substances, round(score, 2))
    return found


def resolve_texts(
    texts: Iterable[str], catalogue: Catalogue, column: str, *, fuzzy: bool = True
) -> dict[str, Resolution]:
    """Resolve distinct substance-column or product texts (``column``) in one batch.

    With ``fuzzy=False`` only exact names count (the pipeline tries every exact source of
    a line before any similarity search).
    """
    noise = _noise_words(catalogue)
    min_length = catalogue.settings.min_fuzzy_length
    exact: dict[str, list[list[tuple[str, tuple[str, ...], str]] | _Part]] = {}
    wanted: set[str] = set()
    for text in set(texts):
        if not text or not text.strip():
            continue
        parts = _split_parts(text, column, noise)
        readings: list[list[tuple[str, tuple[str, ...], str]] | _Part] = []
        for part in parts:
            hits = _scan(part.tokens, catalogue)
            if hits:
                readings.append(hits)
            else:
                readings.append(part)
                wanted.update(_candidates(part, min_length))
        exact[text] = readings
    similar = fuzzy_lookup(wanted, catalogue) if wanted and fuzzy else {}
    results: dict[str, Resolution] = {}
    for text, readings in exact.items():
        results[text] = _combine(readings, similar, column, min_length)
    return results


def _combine(
    readings: list[list[tuple[str, tuple[str, ...], str]] | _Part],
    fuzzy: dict[str, tuple[str, tuple[str, ...], float]],
    column: str,
    min_length: int,
) -> Resolution:
    if not readings:
        return UNRESOLVED_RESOLUTION
    substances: set[str] = set()
    matched: list[str] = []
    kinds: set[str] = set()
    fuzzy_scores: list[float] = []
    for reading in readings:
        if isinstance(reading, _Part):
            options = [fuzzy[c] for c in _candidates(reading, min_length) if c in fuzzy]
            if not options:
                return UNRESOLVED_RESOLUTION
            name, found, score = max(options, key=lambda o: o[2])
            substances.update(found)
            matched.append(name)
            fuzzy_scores.append(score)
            continue
        for name, found, kind in reading:
            substances.update(found)
            matched.append(name)
            kinds.add(kind)
    if fuzzy_scores:
        score = round(min(fuzzy_scores) / 100.0, 4)
        return Resolution(tuple(sorted(substances)), FUZZY, score, tuple(matched))
    method = (
        SUBSTANCE if column == COLUMN_SUBSTANCE else (BRAND if KIND_BRAND in kinds else GENERIC)
    )
    return Resolution(tuple(sorted(substances)), method, 1.0, tuple(matched))


def resolve_text(
    text: str | None, catalogue: Catalogue, column: str = COLUMN_PRODUCT
) -> Resolution:
    """One text (for `explain` and tests); the pipeline batches distinct texts instead."""
    if not text:
        return UNRESOLVED_RESOLUTION
    return resolve_texts([text], catalogue, column).get(text, UNRESOLVED_RESOLUTION)

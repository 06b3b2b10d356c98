"""The kinds of discrepancy and the pairing tiers, declared once.

Each kind and each tier is a declared object: its stable code (the JSON contract and
the store use it), its Swedish label (what a nurse reads), what it is judged on, and a
one-line description. The engine's rules are keyed by these codes (``engine.judging``
checks that every pair kind has exactly one rule), the labels of every face come from
here, ``rules/severities.toml`` is validated against the codes, and the kind table of
``docs/judging.md`` is generated from this registry (a test compares them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# What a kind is judged on.
ON_PAIR = "pair"  # a Cosmic line (or lines) paired with a Pascal line (or lines)
ON_LINE = "line"  # one side's lines alone: missing, duplicate, a Pascal self-contradiction
ON_PATIENT = "patient"  # a patient present in one export only


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # Swedish, shown in the TUI, the Excel report and the CLI table
    judged_on: str
    doc: str  # one line, English, for docs/judging.md


@dataclass(frozen=True)
class Tier:
    code: str
    label: str  # Swedish, how the lines were paired
    doc: str


KIND_REGISTRY: tuple[Kind, ...] = (
    Kind(
        "missing_in_pascal",
        "Saknas i Pascal",
        ON_LINE,
        "An active prescription line in Cosmic with nothing to pair with in Pascal.",
    ),
    Kind(
        "missing_in_cosmic",
        "Saknas i Cosmic",
        ON_LINE,
        "An active line in Pascal with nothing to pair with among Cosmic's prescriptions.",
    ),
    Kind(
        "ended_in_cosmic",
        "Utsatt i Cosmic, aktiv i Pascal",
        ON_PAIR,
        "Ended or paused in Cosmic (also by an end date that has passed), active in Pascal.",
    ),
    Kind(
        "ended_in_pascal",
        "Utsatt i Pascal, aktiv i Cosmic",
        ON_PAIR,
        "Ended in Pascal (Utsatt on or before the reference date), active in Cosmic.",
    ),
    Kind(
        "dose",
        "Olika dos",
        ON_PAIR,
        "A different amount a day (as active substance), interval, range or as-needed "
        "maximum or dose.",
    ),
    Kind(
        "schedule",
        "Olika tidpunkter",
        ON_PAIR,
        "The same amount a day, given at other times or in another number of administrations.",
    ),
    Kind(
        "as_needed",
        "Vid behov på ena sidan",
        ON_PAIR,
        "Standing on one side, as needed on the other (replaces dose, schedule, strength).",
    ),
    Kind(
        "strength",
        "Olika styrka",
        ON_PAIR,
        "The same amount a day reached with another strength or number of units.",
    ),
    Kind(
        "form",
        "Olika beredningsform",
        ON_PAIR,
        "Dose forms that differ in a way that matters (depot, enteric, patch, liquid ...).",
    ),
    Kind(
        "route",
        "Olika administreringsväg",
        ON_PAIR,
        "Different routes of administration (both known).",
    ),
    Kind(
        "duplicate",
        "Dubbelförskrivning",
        ON_LINE,
        "One substance twice in one list (also inside combinations, or standing plus as "
        "needed in one form class), not a split dose.",
    ),
    Kind(
        "needs_review",
        "Dosering behöver granskas",
        ON_PAIR,
        "A dose that could not be read on a side while the texts differ; or Pascal's time "
        "columns against its own text.",
    ),
    Kind(
        "dispensing",
        "Dosdispensering skiljer",
        ON_PAIR,
        "Dose-dispensed on one side, whole package on the other (both known).",
    ),
    Kind(
        "patient_missing",
        "Patienten saknas i ena systemet",
        ON_PATIENT,
        "The patient has lines in one export and none in the other (one finding).",
    ),
)


@dataclass(frozen=True)
class Situation:
    """A finer case of a kind whose severity a pharmacist may set apart from the kind's
    (``[situation]`` in rules/severities.toml; without an entry it has the kind's)."""

    code: str
    kind: str
    doc: str


SITUATION_AS_NEEDED_MAXIMUM = "as_needed_maximum"
SITUATION_ONCE_DAILY_TIME = "once_daily_time"

SITUATION_REGISTRY: tuple[Situation, ...] = (
    Situation(
        SITUATION_AS_NEEDED_MAXIMUM,
        "dose",
        "Two as-needed lines that agree on the amount each time and differ only in the "
        "most a day (oxazepam högst 3 against högst 2 per dygn).",
    ),
    Situation(
        SITUATION_ONCE_DAILY_TIME,
        "schedule",
        "A once-daily drug given at another time of day (digoxin morning against evening).",
    ),
)

TIER_REGISTRY: tuple[Tier, ...] = (
    Tier(
        "combination",
        "kombinationspreparat mot dess delar",
        "A combination product against the lines that together hold its components.",
    ),
    Tier(
        "split",
        "flera styrkor mot en rad (total dygnsdos)",
        "Several standing strengths of one substance against one line, on the total.",
    ),
    Tier("npl", "samma NPL-id", "The same NPL product id."),
    Tier("atc", "samma ATC-kod och substans", "The same ATC code and resolved substance."),
    Tier("substance", "samma substans", "The same resolved substance (brand, salt, spelling)."),
    Tier(
        "fuzzy",
        "liknande substansnamn",
        "Similar substance text where a side is unresolved (never two known substances).",
    ),
)

KINDS: tuple[str, ...] = tuple(kind.code for kind in KIND_REGISTRY)
KIND_BY_CODE = {kind.code: kind for kind in KIND_REGISTRY}
KIND_LABEL: dict[str, str] = {kind.code: kind.label for kind in KIND_REGISTRY}
PAIR_KINDS: tuple[str, ...] = tuple(k.code for k in KIND_REGISTRY if k.judged_on == ON_PAIR)
MECHANISMS: tuple[str, ...] = tuple(tier.code for tier in TIER_REGISTRY)
SITUATIONS: tuple[str, ...] = tuple(s.code for s in SITUATION_REGISTRY)
MECHANISM_LABEL: dict[str, str] = {tier.code: tier.label for tier in TIER_REGISTRY}


def kind_table_markdown(severity: dict[str, str], as_needed: dict[str, str]) -> str:
    """The kind table of docs/judging.md, with the severities of ``rules/``."""
    rows = [
        "| code | label | judged on | default severity | meaning |",
        "|---|---|---|---|---|",
    ]
    for k in KIND_REGISTRY:
        grade = severity.get(k.code, "?")
        if k.code in as_needed:
            grade += f" ({as_needed[k.code]} if as needed)"
        rows.append(f"| `{k.code}` | {k.label} | {k.judged_on} | {grade} | {k.doc} |")
    return "\n".join(rows)


def situation_table_markdown(severity: dict[str, str]) -> str:
    """The situation table of docs/judging.md with the severities of ``rules/``."""
    rows = ["| situation | of kind | severity | meaning |", "|---|---|---|---|"]
    rows += [
        f"| `{s.code}` | `{s.kind}` | {severity.get(s.code, 'as the kind')} | {s.doc} |"
        for s in SITUATION_REGISTRY
    ]
    return "\n".join(rows)


def tier_table_markdown() -> str:
    """The pairing-tier table of docs/judging.md, generated from the registry."""
    rows = ["| mechanism | label | meaning |", "|---|---|---|"]
    rows += [f"| `{t.code}` | {t.label} | {t.doc} |" for t in TIER_REGISTRY]
    return "\n".join(rows)


def generated_blocks(
    severity: dict[str, str], as_needed: dict[str, str], situation: dict[str, str]
) -> dict[str, str]:
    """The tables of docs/judging.md kept between ``<!-- name:begin -->`` and
    ``<!-- name:end -->`` markers (``python -m medrecon.kinds`` rewrites them)."""
    return {
        "kinds": kind_table_markdown(severity, as_needed),
        "situations": situation_table_markdown(situation),
        "tiers": tier_table_markdown(),
    }


def _replacement(table: str) -> Callable[[re.Match[str]], str]:
    return lambda found: found.group(1) + table + found.group(2)


def with_generated_blocks(text: str, blocks: dict[str, str]) -> str:
    """``text`` with each marked block replaced by its generated table."""
    for name, table in blocks.items():
        pattern = re.compile(
            rf"(<!-- {name}:begin -->\n).*?(\n<!-- {name}:end -->)", flags=re.DOTALL
        )
        text, count = pattern.subn(_replacement(table), text)
        if count != 1:
            raise ValueError(f"block {name!r} must appear exactly once")
    return text

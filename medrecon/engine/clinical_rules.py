"""The clinical rules the engine reads from ``rules/`` (data reviewed by pharmacists).

Severities per kind, the high-risk drugs, the elderly-care indicators and the fuzzy
matching threshold live in TOML files so that a pharmacist can change them without
touching code. ``Rules.load()`` reads them once; tests build ``Rules`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medrecon.errors import MedreconError
from medrecon.kinds import KINDS, SITUATIONS
from medrecon.normalise.rule_tables import MatchingSettings, read_matching_settings
from medrecon.rules_files import TomlShape, read_rules_toml
from medrecon.rules_path import rules_dir
from medrecon.schema import SEVERITIES


@dataclass(frozen=True)
class IndicatorDrug:
    """One entry of an elderly-care list: drugs to avoid or a daily-dose limit."""

    code: str
    atc: tuple[str, ...] = ()
    substances: tuple[str, ...] = ()
    reason: str = ""
    max_mg: float | None = None


@dataclass(frozen=True)
class ElderlyRules:
    min_age: int = 75
    polypharmacy_code: str = "polypharmacy"
    polypharmacy_min: int = 10
    polypharmacy_note: str = "{n} läkemedel i samma lista."
    psychotropic_code: str = "psychotropics"
    psychotropic_min: int = 3
    psychotropic_atc: tuple[str, ...] = ("N05A", "N05B", "N05C", "N06A")
    psychotropic_note: str = "{n} psykofarmaka samtidigt."
    avoid: tuple[IndicatorDrug, ...] = ()
    max_daily: tuple[IndicatorDrug, ...] = ()


def _default_severities() -> dict[str, str]:
    return {kind: "medium" for kind in KINDS}


@dataclass(frozen=True)
class Rules:
    """Everything the engine needs to judge, loaded from ``rules/``."""

    severity: dict[str, str] = field(default_factory=_default_severities)
    severity_as_needed: dict[str, str] = field(default_factory=dict)
    # a finer situation of a kind (kinds.SITUATION_REGISTRY) -> its own severity
    severity_situation: dict[str, str] = field(default_factory=dict)
    high_risk_atc: tuple[str, ...] = ()
    high_risk_substances: tuple[str, ...] = ()
    elderly: ElderlyRules = field(default_factory=ElderlyRules)
    fuzzy_threshold: float = MatchingSettings().fuzzy_threshold
    # substance -> the most a day in mg (rules/max_daily_doses.csv): lines of one substance
    # that add up to more are two orders for one drug, not one dose split over strengths
    max_daily_mg: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | None = None) -> Rules:
        folder = Path(folder) if folder is not None else rules_dir()
        sev_path = folder / "severities.toml"
        sev = read_rules_toml(sev_path, _SEVERITY_SHAPE)
        high = read_rules_toml(folder / "high_risk.toml", _HIGH_RISK_SHAPE)
        old = read_rules_toml(folder / "elderly.toml", _ELDERLY_SHAPE)
        return cls(
            severity=_severities(sev.get("default", {}), sev_path, KINDS, complete=True),
            severity_as_needed=_severities(sev.get("as_needed", {}), sev_path, KINDS),
            severity_situation=_severities(sev.get("situation", {}), sev_path, SITUATIONS),
            high_risk_atc=tuple(
                code.upper() for drug in high.get("drug", []) for code in drug.get("atc", [])
            ),
            high_risk_substances=tuple(
                name.lower() for drug in high.get("drug", []) for name in drug.get("substances", [])
            ),
            elderly=_elderly(old),
            fuzzy_threshold=read_matching_settings(folder / "matching.toml").fuzzy_threshold,
            max_daily_mg=_max_daily(folder / "max_daily_doses.csv"),
        )


_SEVERITY_SHAPE = TomlShape(
    sections={
        "default": frozenset(KINDS),
        "as_needed": frozenset(KINDS),
        "situation": frozenset(SITUATIONS),
    },
    required=frozenset({"default"}),
)
_HIGH_RISK_SHAPE = TomlShape(
    sections={"drug": frozenset({"name", "atc", "substances", "reason"})},
    required=frozenset({"drug"}),
)
_INDICATOR_KEYS = frozenset({"code", "atc", "substances", "reason", "max_mg"})
_ELDERLY_SHAPE = TomlShape(
    sections={
        "polypharmacy": frozenset({"code", "min_drugs", "note"}),
        "psychotropics": frozenset({"code", "min_drugs", "atc", "note"}),
        "avoid": _INDICATOR_KEYS,
        "max_daily": _INDICATOR_KEYS,
    },
    values=frozenset({"min_age"}),
)


def _severities(
    table: dict[str, Any], path: Path, codes: tuple[str, ...], *, complete: bool = False
) -> dict[str, str]:
    """A table of code -> severity; ``complete``: every code must have one."""
    problems = [f"{k} = {v!r}" for k, v in table.items() if k not in codes or v not in SEVERITIES]
    missing = [code for code in codes if code not in table] if complete else []
    if problems or missing:
        parts = []
        if problems:
            parts.append("okända värden: " + ", ".join(problems))
        if missing:
            parts.append("saknade avvikelsetyper: " + ", ".join(missing))
        raise MedreconError(f"Regelfilen {path}: " + "; ".join(parts) + ".")
    return {str(k): str(v) for k, v in table.items()}


def _indicator(entry: dict[str, Any]) -> IndicatorDrug:
    max_mg = entry.get("max_mg")
    return IndicatorDrug(
        code=str(entry["code"]),
        atc=tuple(str(a).upper() for a in entry.get("atc", [])),
        substances=tuple(str(s).lower() for s in entry.get("substances", [])),
        reason=str(entry.get("reason", "")),
        max_mg=float(max_mg) if max_mg is not None else None,
    )


def _elderly(data: dict[str, Any]) -> ElderlyRules:
    poly = data.get("polypharmacy", {})
    psy = data.get("psychotropics", {})
    base = ElderlyRules()
    return ElderlyRules(
        min_age=int(data.get("min_age", base.min_age)),
        polypharmacy_code=str(poly.get("code", base.polypharmacy_code)),
        polypharmacy_min=int(poly.get("min_drugs", base.polypharmacy_min)),
        polypharmacy_note=str(poly.get("note", base.polypharmacy_note)),
        psychotropic_code=str(psy.get("code", base.psychotropic_code)),
        psychotropic_min=int(psy.get("min_drugs", base.psychotropic_min)),
        psychotropic_atc=tuple(str(a).upper() for a in psy.get("atc", base.psychotropic_atc)),
        psychotropic_note=str(psy.get("note", base.psychotropic_note)),
        avoid=tuple(_indicator(e) for e in data.get("avoid", [])),
        max_daily=tuple(_indicator(e) for e in data.get("max_daily", [])),
    )


MAX_DAILY_COLUMNS = ("substans", "högsta_dygnsdos", "kommentar")


def _max_daily(path: Path) -> dict[str, float]:
    """``max_daily_doses.csv``: the most of a substance a day, in mg."""
    if not path.is_file():
        return {}
    from medrecon.normalise.rule_tables import read_rule_rows
    from medrecon.normalise.strength import parse_strength

    limits: dict[str, float] = {}
    for number, row in read_rule_rows(path, MAX_DAILY_COLUMNS):
        limit = parse_strength(row.get("högsta_dygnsdos"))
        if limit is None or limit.unit != "mg" or len(limit.values) != 1:
            raise MedreconError(
                f"{path.name} rad {number}: '{row.get('högsta_dygnsdos')}' är ingen dos i "
                "mg, g eller mikrogram."
            )
        limits[row.get("substans", "").strip().lower()] = limit.values[0]
    return limits

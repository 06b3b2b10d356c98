"""Engine kind cases as data (``tests/cases/kinds/*.toml``): two small lists in, the
expected findings out. The format is described in ``tests/cases/kinds/README.md``.

Each case is written as a real Cosmic and a real Pascal export and reconciled through
the whole product (adapters, reader, engine), so a case says what a user would see. A
case is also run mirrored (its Cosmic lines exported from Pascal and the other way
round), unless it says why it cannot be.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from adapters.writer import write_export
from medrecon.schema import CANONICAL_SCHEMA, COSMIC, PASCAL

CASES_DIR = Path(__file__).resolve().parents[1] / "cases" / "kinds"
DEFAULT_PATIENT = "19400512-1233"
DEFAULT_AS_OF = dt.date(2026, 12, 1)

CASE_KEYS = frozenset(
    {"name", "why", "as_of", "mirror", "not_mirrored", "cosmic", "pascal", "expected", "pairs"}
)
LINE_KEYS = frozenset(
    {
        "product",
        "substance",
        "strength",
        "form",
        "route",
        "dosing",
        "times",
        "as_needed",
        "dispensing",
        "ended",
        "end",
        "paused",
        "order",
        "atc",
        "npl",
        "changed",
        "patient",
    }
)
EXPECTED_KEYS = frozenset(
    {"kind", "severity", "cosmic", "pascal", "substance", "hint", "related", "explanation"}
)
PAIR_KEYS = frozenset({"mechanism", "cosmic", "pascal"})
# Only Cosmic can say these; a case that uses them is not mirrored.
COSMIC_ONLY_KEYS = frozenset({"paused", "order", "end"})

MIRRORED_KIND = {
    "missing_in_pascal": "missing_in_cosmic",
    "missing_in_cosmic": "missing_in_pascal",
    "ended_in_cosmic": "ended_in_pascal",
    "ended_in_pascal": "ended_in_cosmic",
}
ORDER_TYPES = {"ward_stock": "ward_stock", "self_care": "self_care"}


@dataclass(frozen=True)
class KindCase:
    file: str
    name: str
    why: str
    as_of: dt.date
    cosmic: list[dict[str, Any]]
    pascal: list[dict[str, Any]]
    expected: list[dict[str, Any]]
    pairs: list[dict[str, Any]] | None
    mirrored: bool = False
    mirror: bool = True
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.file}: {self.name}" + (" (spegelvänd)" if self.mirrored else "")


def _check_keys(where: str, table: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(allowed)})")


def load_cases() -> list[KindCase]:
    """Every case of every file, as written and mirrored."""
    cases: list[KindCase] = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        _check_keys(path.name, data, frozenset({"case"}))
        for raw in data["case"]:
            where = f"{path.name}: {raw.get('name', '?')}"
            _check_keys(where, raw, CASE_KEYS)
            for side in ("cosmic", "pascal"):
                for line in raw.get(side, []):
                    _check_keys(f"{where} ({side})", line, LINE_KEYS)
            for item in raw.get("expected", []):
                _check_keys(f"{where} (expected)", item, EXPECTED_KEYS)
            for item in raw.get("pairs", []):
                _check_keys(f"{where} (pairs)", item, PAIR_KEYS)
            mirror = bool(raw.get("mirror", True))
            if not mirror and not raw.get("not_mirrored"):
                raise ValueError(f"{where}: mirror = false needs not_mirrored (the reason)")
            uses_cosmic_only = any(
                COSMIC_ONLY_KEYS & set(line) for line in raw.get("cosmic", [])
            ) or any("times" in line and "dosing" not in line for line in raw.get("pascal", []))
            if mirror and uses_cosmic_only:
                raise ValueError(f"{where}: uses what only one layout can say; set mirror = false")
            case = KindCase(
                file=path.name,
                name=raw["name"],
                why=raw.get("why", ""),
                as_of=raw.get("as_of", DEFAULT_AS_OF),
                cosmic=raw.get("cosmic", []),
                pascal=raw.get("pascal", []),
                expected=raw.get("expected", []),
                pairs=raw.get("pairs"),
                mirror=mirror,
            )
            cases.append(case)
            if mirror:
                cases.append(mirrored(case))
    return cases


def _swap_id(line_id: str) -> str:
    return {"C": "P", "P": "C"}[line_id[0]] + line_id[1:]


_SWITCH = re.compile(r"Pascal har (?P<p>[^,]+), Cosmic (?P<c>[^(]+) \(")


def _swap_words(text: str) -> str:
    """The hint of the mirrored case: the systems' names swapped; a switch sentence
    still names Cosmic first, as the engine always does."""
    swapped = text.replace("Cosmic", "\0").replace("Pascal", "Cosmic").replace("\0", "Pascal")
    return _SWITCH.sub(lambda m: f"Cosmic har {m['c']}, Pascal {m['p']} (", swapped)


def mirrored(case: KindCase) -> KindCase:
    """The same case with the systems' roles swapped."""

    def flip(item: dict[str, Any]) -> dict[str, Any]:
        out = dict(item)
        out["cosmic"] = [_swap_id(i) for i in item.get("pascal", [])]
        out["pascal"] = [_swap_id(i) for i in item.get("cosmic", [])]
        if "kind" in item:
            out["kind"] = MIRRORED_KIND.get(item["kind"], item["kind"])
        if "related" in item:
            out["related"] = [[MIRRORED_KIND.get(k, k), s] for k, s in item["related"]]
        if "hint" in item:
            out["hint"] = _swap_words(item["hint"])
        out.pop("explanation", None)  # worded from one side; checked on the case as written
        return out

    return KindCase(
        file=case.file,
        name=case.name,
        why=case.why,
        as_of=case.as_of,
        cosmic=case.pascal,
        pascal=case.cosmic,
        expected=[flip(e) for e in case.expected],
        pairs=None if case.pairs is None else [flip(p) for p in case.pairs],
        mirrored=True,
        mirror=True,
    )


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _canonical(line: dict[str, Any], system: str, number: int) -> dict[str, Any]:
    """One neutral case line as a canonical line of ``system``."""
    prefix = "C" if system == COSMIC else "P"
    times = [float(v.replace(",", ".")) for v in str(line.get("times", "")).split("+") if v]
    dosing = line.get("dosing")
    if system == COSMIC and dosing is None and "times" in line:
        dosing = line["times"]  # Cosmic has no time columns; prescribers write "1+0+1+0"
    ended = _date(line.get("ended"))
    end = _date(line.get("end"))
    status = "ended" if ended else ("paused" if line.get("paused") else "active")
    changed = line.get("changed", "2026-01-10 09:00")
    return {
        "patient_id": str(line.get("patient", DEFAULT_PATIENT)).replace("-", ""),
        "patient_name": "Testsson, Test",
        "care_unit": "Hemsjukvård Test" if system == COSMIC else None,
        "line_id": f"{prefix}{number}",
        "product_text": line["product"],
        "substance_text": line.get("substance"),
        "strength_text": line.get("strength"),
        "form_text": line.get("form"),
        "route_text": line.get("route"),
        "dosing_text": dosing,
        "dose_morning": times[0] if len(times) > 0 and system == PASCAL else None,
        "dose_noon": times[1] if len(times) > 1 and system == PASCAL else None,
        "dose_evening": times[2] if len(times) > 2 and system == PASCAL else None,
        "dose_night": times[3] if len(times) > 3 and system == PASCAL else None,
        "as_needed": bool(line.get("as_needed", False)),
        "dispensing": line.get("dispensing"),
        "start_date": dt.date(2024, 1, 1),
        "end_date": ended or end,
        "status": status,
        "order_type": ORDER_TYPES.get(line.get("order", ""), "prescription"),
        "atc": line.get("atc"),
        "npl_id": line.get("npl"),
        "prescriber": "Dr Test",
        "last_changed": dt.datetime.fromisoformat(str(changed)),
    }


def write_exports(case: KindCase, folder: Path) -> tuple[Path, Path]:
    """The case as a Cosmic and a Pascal CSV export in ``folder``."""
    paths = []
    for system, lines in ((COSMIC, case.cosmic), (PASCAL, case.pascal)):
        rows = [_canonical(line, system, n) for n, line in enumerate(lines, start=1)]
        schema = {k: v for k, v in CANONICAL_SCHEMA.items() if k not in ("source", "file", "line")}
        frame = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
        paths.append(write_export(frame, system, folder / f"{system}.csv"))
    return paths[0], paths[1]

"""One patient's two lists aligned row by row, in the spirit of Twinlist.

Lines that the engine paired (``matches``) or that one finding is about are one *group*;
a group is shown as consecutive rows with its Cosmic and Pascal lines side by side.
Groups with findings come first (most severe first), then agreeing lines, then history
(ended on both sides), then lines that are never compared (ward stock, self-care).
Textual-free: the screen only renders what this module decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from medrecon.labels import SEVERITY_RANK

Line = dict[str, Any]

SECTION_FINDINGS = "findings"
SECTION_AGREE = "agree"
SECTION_HISTORY = "history"
SECTION_OTHER = "other"
SECTIONS = (SECTION_FINDINGS, SECTION_AGREE, SECTION_HISTORY, SECTION_OTHER)
SECTION_LABEL = {
    SECTION_FINDINGS: "Avvikelser",
    SECTION_AGREE: "Lika",
    SECTION_HISTORY: "Historik",
    SECTION_OTHER: "Jämförs ej",
}
SECTION_HINT = {
    SECTION_FINDINGS: "det som skiljer, allvarligast först",
    SECTION_AGREE: "överensstämmer i Cosmic och Pascal",
    SECTION_HISTORY: "utsatt i båda systemen",
    SECTION_OTHER: "rekvisition, egenvård eller utan motsvarighet",
}

# Attributes compared between the two lines of a row, highlighted on both sides.
ATTRIBUTES = ("substance", "strength", "form", "dose", "schedule", "status")

STATUS_TEXT = {"active": "Aktiv", "ended": "Utsatt", "paused": "Pausad"}


@dataclass
class Group:
    cosmic: list[Line] = field(default_factory=list)
    pascal: list[Line] = field(default_factory=list)
    pairs: list[tuple[Line | None, Line | None]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    match: dict[str, Any] | None = None  # the first engine match covering the group
    section: str = SECTION_AGREE


@dataclass(frozen=True)
class Row:
    """One row of the side-by-side table."""

    key: str
    section: str
    cosmic: Line | None = None
    pascal: Line | None = None
    finding_id: str | None = None  # the finding decisions on this row apply to
    shows_finding: bool = False  # False on continuation rows of the same group
    group: int = -1
    header: bool = False  # a section title row
    differing: frozenset[str] = frozenset()
    match: dict[str, Any] | None = None
    same_lines: bool = False  # a further finding on the lines of the row above


def _number(value: float | None) -> str:
    if value is None:
        return "0"
    text = f"{value:g}".replace(".", ",")
    return {"0,5": "½", "0,25": "¼"}.get(text, text)


def slots_text(line: Line) -> str:
    """Pascal's time columns as ``1+0+1+0`` (empty when none are filled)."""
    values = [line.get(c) for c in ("dose_morning", "dose_noon", "dose_evening", "dose_night")]
    if all(v is None for v in values):
        return ""
    return "+".join(_number(v) for v in values)


def dosing_text(line: Line) -> str:
    text = str(line.get("dosing_text") or "").strip()
    slots = slots_text(line)
    if slots and text and text != slots:
        return f"{slots} ({text})"
    return text or slots or "dosering saknas"


def status_text(line: Line) -> str:
    text = STATUS_TEXT.get(line.get("status") or "", line.get("status") or "")
    if line.get("end_date") is not None:
        text = f"{'Utsatt' if line.get('status') != 'paused' else text} {line['end_date']}"
    if line.get("as_needed") or line.get("dose_as_needed"):
        text = f"Vid behov · {text}"
    return text


def line_summary(line: Line) -> str:
    """One line of plain text: substance, strength, form · dosing · status."""
    name = line.get("substance_text") or str(line.get("substance") or "").capitalize()
    head = " ".join(
        str(v).strip()
        for v in (
            name or line.get("product_text"),
            line.get("strength_text"),
            line.get("form_text"),
        )
        if v and str(v).strip()
    )
    return f"{head} · {dosing_text(line)} · {status_text(line)}"


def _key(source: str, line_id: str) -> str:
    return f"{source}:{line_id}"


def _is_ended(line: Line) -> bool:
    return line.get("status") in ("ended", "paused") or line.get("end_date") is not None


def _is_compared(line: Line) -> bool:
    return (line.get("order_type") or "prescription") == "prescription"


def _norm(text: object) -> str:
    return " ".join(str(text or "").lower().split())


def differing_attributes(cosmic: Line | None, pascal: Line | None) -> frozenset[str]:
    """Which attributes of two aligned lines differ (only judged when both are known)."""
    if cosmic is None or pascal is None:
        return frozenset()
    out: set[str] = set()

    def known_differ(a: object, b: object) -> bool:
        return a is not None and b is not None and a != b

    if known_differ(cosmic.get("substance"), pascal.get("substance")) or (
        cosmic.get("substance") is None
        and pascal.get("substance") is None
        and _norm(cosmic.get("substance_text")) != _norm(pascal.get("substance_text"))
    ):
        out.add("substance")
    c_strength = (cosmic.get("strength_value"), cosmic.get("strength_unit"))
    p_strength = (pascal.get("strength_value"), pascal.get("strength_unit"))
    if None not in c_strength and None not in p_strength:
        if c_strength != p_strength:
            out.add("strength")
    elif _norm(cosmic.get("strength_text")) != _norm(pascal.get("strength_text")):
        out.add("strength")
    c_form, p_form = cosmic.get("form_class"), pascal.get("form_class")
    if known_differ(c_form, p_form) and "unknown" not in (c_form, p_form):
        out.add("form")
    if (
        known_differ(cosmic.get("daily_amount"), pascal.get("daily_amount"))
        or known_differ(cosmic.get("interval_days"), pascal.get("interval_days"))
        or known_differ(cosmic.get("max_per_day"), pascal.get("max_per_day"))
        or bool(cosmic.get("dose_as_needed")) != bool(pascal.get("dose_as_needed"))
        or (
            not (cosmic.get("dose_understood") and pascal.get("dose_understood"))
            and _norm(cosmic.get("dosing_text")) != _norm(pascal.get("dosing_text"))
        )
    ):
        out.add("dose")
    slots = ("slot_morning", "slot_noon", "slot_evening", "slot_night")
    c_slots = tuple(cosmic.get(s) for s in slots)
    p_slots = tuple(pascal.get(s) for s in slots)
    both_known = any(v is not None for v in c_slots) and any(v is not None for v in p_slots)
    if both_known and tuple(v or 0 for v in c_slots) != tuple(v or 0 for v in p_slots):
        out.add("schedule")
    if _is_ended(cosmic) != _is_ended(pascal):
        out.add("status")
    return frozenset(out)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, items: list[str]) -> None:
        if not items:
            return
        root = self.find(items[0])
        for other in items[1:]:
            self.parent[self.find(other)] = root


def _max_rank(findings: list[dict[str, Any]]) -> int:
    return max((SEVERITY_RANK.get(f.get("severity") or "", 0) for f in findings), default=0)


def build_groups(lines: pl.DataFrame, matches: pl.DataFrame, findings: pl.DataFrame) -> list[Group]:
    """Groups of one patient (frames already filtered to the patient), in display order."""
    by_key: dict[str, Line] = {
        _key(row["source"], row["line_id"]): row for row in lines.iter_rows(named=True)
    }
    uf = _UnionFind()
    for key in by_key:
        uf.find(key)
    match_rows = list(matches.iter_rows(named=True))
    finding_rows = list(findings.iter_rows(named=True))
    for rows in (match_rows, finding_rows):
        for row in rows:
            keys = [_key("cosmic", i) for i in row.get("cosmic_ids") or []]
            keys += [_key("pascal", i) for i in row.get("pascal_ids") or []]
            uf.union([k for k in keys if k in by_key])

    groups: dict[str, Group] = {}
    for key, line in by_key.items():
        group = groups.setdefault(uf.find(key), Group())
        (group.cosmic if line["source"] == "cosmic" else group.pascal).append(line)
    orphans: list[Group] = []  # findings whose lines are not among the loaded lines
    for finding in finding_rows:
        keys = [_key("cosmic", i) for i in finding.get("cosmic_ids") or []]
        keys += [_key("pascal", i) for i in finding.get("pascal_ids") or []]
        present = [k for k in keys if k in by_key]
        if present:
            groups[uf.find(present[0])].findings.append(finding)
        else:
            orphans.append(Group(findings=[finding]))
    for match in match_rows:
        keys = [_key("cosmic", i) for i in match.get("cosmic_ids") or []]
        keys += [_key("pascal", i) for i in match.get("pascal_ids") or []]
        present = [k for k in keys if k in by_key]
        if present and groups[uf.find(present[0])].match is None:
            groups[uf.find(present[0])].match = match

    result = list(groups.values()) + orphans
    for group in result:
        _align(group, match_rows)
        group.findings.sort(key=lambda f: (-SEVERITY_RANK.get(f["severity"], 0), f["kind"]))
        group.section = _section(group)
    section_rank = {s: i for i, s in enumerate(SECTIONS)}
    anchors = _switch_anchors(result)
    result.sort(
        key=lambda g: (
            section_rank[g.section],
            *anchors.get(id(g), (-_max_rank(g.findings), _sort_name(g))),
            _sort_name(g),
        )
    )
    return result


def _switch_anchors(groups: list[Group]) -> dict[int, tuple[int, str]]:
    """Groups whose findings name each other as a possible switch (omeprazol here,
    esomeprazol there) sort as one, so the nurse sees the two next to each other."""
    group_of = {f["id"]: g for g in groups for f in g.findings if f.get("id")}
    uf = _UnionFind()
    for group in groups:
        for finding in group.findings:
            related = [r for r in finding.get("related_ids") or [] if r in group_of]
            if related:
                uf.union([str(id(group))] + [str(id(group_of[r])) for r in related])
    clusters: dict[str, list[Group]] = {}
    for group in groups:
        if any(f.get("related_ids") for f in group.findings):
            clusters.setdefault(uf.find(str(id(group))), []).append(group)
    anchors: dict[int, tuple[int, str]] = {}
    for members in clusters.values():
        anchor = min((-_max_rank(g.findings), _sort_name(g)) for g in members)
        anchors.update({id(g): anchor for g in members})
    return anchors


def _sort_name(group: Group) -> str:
    for line in group.cosmic + group.pascal:
        name = line.get("substance") or line.get("substance_text") or line.get("product_text")
        if name:
            return str(name).lower()
    return ""


def _align(group: Group, match_rows: list[dict[str, Any]]) -> None:
    """Pairs matched lines on one row; leftovers get a row of their own."""
    cosmic_by_id = {line["line_id"]: line for line in group.cosmic}
    pascal_by_id = {line["line_id"]: line for line in group.pascal}
    used: set[str] = set()
    for match in match_rows:
        c_ids = [i for i in match.get("cosmic_ids") or [] if i in cosmic_by_id]
        p_ids = [i for i in match.get("pascal_ids") or [] if i in pascal_by_id]
        if not c_ids or not p_ids:
            continue
        for i in range(max(len(c_ids), len(p_ids))):
            c = cosmic_by_id[c_ids[i]] if i < len(c_ids) else None
            p = pascal_by_id[p_ids[i]] if i < len(p_ids) else None
            if (c and "c" + c["line_id"] in used) or (p and "p" + p["line_id"] in used):
                continue
            group.pairs.append((c, p))
            used.update({"c" + c["line_id"]} if c else set())
            used.update({"p" + p["line_id"]} if p else set())
    for line in group.cosmic:
        if "c" + line["line_id"] not in used:
            group.pairs.append((line, None))
    for line in group.pascal:
        if "p" + line["line_id"] not in used:
            group.pairs.append((None, line))


def _section(group: Group) -> str:
    if group.findings:
        return SECTION_FINDINGS
    lines = group.cosmic + group.pascal
    if lines and not all(_is_compared(line) for line in lines):
        return SECTION_OTHER
    if lines and all(_is_ended(line) for line in lines):
        return SECTION_HISTORY
    if group.cosmic and group.pascal:
        return SECTION_AGREE
    return SECTION_OTHER


def build_rows(groups: list[Group]) -> list[Row]:
    """The table rows: a title row per non-empty section, then each group's rows."""
    rows: list[Row] = []
    current = ""
    for index, group in enumerate(groups):
        if group.section != current:
            current = group.section
            count = sum(1 for g in groups if g.section == current)
            rows.append(Row(key=f"section:{current}", section=current, header=True, group=count))
        pairs = group.pairs or [(None, None)]
        height = max(len(group.findings), len(pairs))
        for i in range(height):
            same_lines = i >= len(pairs) and bool(group.pairs)
            c, p = pairs[i] if i < len(pairs) else pairs[-1]
            finding = group.findings[min(i, len(group.findings) - 1)] if group.findings else None
            rows.append(
                Row(
                    key=f"g{index}:{i}",
                    section=group.section,
                    cosmic=c,
                    pascal=p,
                    finding_id=finding["id"] if finding else None,
                    shows_finding=finding is not None and i < len(group.findings),
                    group=index,
                    differing=differing_attributes(c, p),
                    match=group.match,
                    same_lines=same_lines,
                )
            )
    return rows


def agreeing_line_ids(groups: list[Group]) -> list[str]:
    """Line ids (``cosmic:C-1``) of every agreeing row: what "godkänn alla" covers."""
    return sorted(
        _key(line["source"], line["line_id"])
        for g in groups
        if g.section == SECTION_AGREE
        for line in g.cosmic + g.pascal
    )

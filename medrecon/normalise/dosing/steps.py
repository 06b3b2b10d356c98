"""A dosing text cut into its steps: loading doses, titrations, tapers, courses.

"2 tabletter första dagen, därefter 1 tablett dagligen", "Dag 1: 2 tabletter, dag 2-10: 1
tablett", "Startdos 1 tablett dagligen. Efter 2 veckor 2 tabletter dagligen.", "4 tabl x 1 i
3 dagar, 3 tabl x 1 i 3 dagar, ..., sedan sluta": each step is one clause, read on its own.
A clause that only ends the course ("sedan uppehåll") closes the step before it; a change
rule ("minska med 5 mg var 3:e dag tills utsatt") is kept as a rule for ``reader`` to unfold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medrecon.normalise.dosing.lexicon import Lexicon, key
from medrecon.normalise.dosing.patterns import Patterns


@dataclass(frozen=True)
class StepClause:
    text: str
    duration_days: float | None = None  # from "Dag 2-10:" or "Efter 2 veckor" (the step before)
    open_ended: bool = False  # "Vecka 3: ..." as the last step: it goes on


@dataclass(frozen=True)
class SplitText:
    clauses: tuple[StepClause, ...]
    ends: bool  # "sedan uppehåll": the regimen ends after the last step
    headless: bool = False  # "sedan 1 tablett dagligen": a later step without its first


def split_steps(text: str, lex: Lexicon, pats: Patterns) -> SplitText:
    """The step clauses of a normalised text (one clause when it has no steps)."""
    clauses = _numbered(text, pats) or [StepClause(text)]
    clauses = [part for clause in clauses for part in _after_spans(clause, lex, pats)]
    headless = bool(pats.step_split.match(text)) and not text[:1].isdigit()
    clauses = [part for clause in clauses for part in _separated(clause, pats)]
    clauses = [part for clause in clauses for part in _comma_courses(clause, pats)]
    ends = False
    kept: list[StepClause] = []
    for clause in clauses:
        if pats.step_end.match(clause.text) or _is_end(clause.text, lex):
            ends = True
            continue
        if not clause.text.strip(" ,.;:"):
            continue
        kept.append(clause)
    return SplitText(tuple(kept), ends, headless)


def _is_end(text: str, lex: Lexicon) -> bool:
    words = [key(w) for w in re.findall(r"[^\W\d_]+", text)]
    ends = {key(e) for e in lex.list("steps.ends") if " " not in e}
    return bool(words) and all(w in ends for w in words)


def _numbered(text: str, pats: Patterns) -> list[StepClause] | None:
    """ "Dag 1: 2 tabletter, dag 2-10: 1 tablett", "Vecka 1: ..., vecka 2: ..."."""
    marks = list(pats.numbered_step.finditer(text))
    if not marks:
        return None
    head = text[: marks[0].start()].strip(" ,.;:")
    clauses: list[StepClause] = []
    if head and re.search(r"\d", head):
        return None  # a dose before the first numbered step: not a numbered schedule
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[mark.end() : end].strip(" ,;")
        first, last = int(mark.group("first")), mark.group("last")
        unit = 7.0 if mark.group("weeks") else 1.0
        is_last = i == len(marks) - 1
        if last:
            duration: float | None = (int(last) - first + 1) * unit
            open_ended = False
        else:
            duration = None if is_last else unit
            open_ended = is_last
        if duration is not None and duration <= 0:
            return None
        clauses.append(StepClause(body, duration, open_ended))
    return clauses


def _after_spans(clause: StepClause, lex: Lexicon, pats: Patterns) -> list[StepClause]:
    """ "Startdos 1 tablett dagligen. Efter 2 veckor 2 tabletter dagligen."."""
    marks = list(pats.after_span_step.finditer(clause.text))
    if not marks:
        return [clause]
    parts: list[StepClause] = []
    start = 0
    for mark in marks:
        before = clause.text[start : mark.start()]
        days = lex.number(mark.group("n")) * lex.duration_unit_of[key(mark.group("unit"))]
        if before.strip(" ,.;:"):
            parts.append(StepClause(before, days))
        elif parts and parts[-1].duration_days is None:
            parts[-1] = StepClause(parts[-1].text, days)
        start = mark.end()
    parts.append(StepClause(clause.text[start:], clause.duration_days, clause.open_ended))
    return parts


def _separated(clause: StepClause, pats: Patterns) -> list[StepClause]:
    """ "..., sedan ...", "..., därefter ...": one clause per step."""
    pieces = pats.step_split.split(clause.text)
    if len(pieces) == 1:
        return [clause]
    parts = [StepClause(piece) for piece in pieces[:-1]]
    parts.append(StepClause(pieces[-1], clause.duration_days, clause.open_ended))
    return parts


def _comma_courses(clause: StepClause, pats: Patterns) -> list[StepClause]:
    """ "4 tabl x 1 i 3 dagar, 3 tabl x 1 i 3 dagar, 2 tabl x 1 i 3 dagar": one step each."""
    pieces = [p for p in re.split(r"\s*[,;]\s*", clause.text) if p.strip()]
    if len(pieces) < 2:
        return [clause]
    with_course = [_kinds(p, pats) for p in pieces]
    stepped = [("duration" in k or "first_period" in k) and "amount" in k for k in with_course]
    if sum(stepped) < 2 or not all(stepped[:-1]):
        return [clause]
    return [StepClause(p) for p in pieces]


def _kinds(text: str, pats: Patterns) -> set[str]:
    kinds = {m.lastgroup or "" for m in pats.master.finditer(text)}
    if "word_amount" in kinds:
        kinds.add("amount")
    return kinds

"""Swedish dosing text -> ``DoseReading``: clauses, restatements, steps and the result.

One clause ("2 tabletter 3 gånger dagligen i 3 dagar") is scanned into facts and resolved
into a statement. Parenthesised text and what follows "dvs" or "=" restate the clause and
must agree with it; a standing dose followed by "och/samt/+ ... vid behov" is a mixed order
whose as-needed part is kept beside the standing reading. Steps ("..., sedan ...") are read
one by one; a later step may leave out what does not change. The reader never raises on
text and never guesses: when the pieces do not add up, the text is not understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from medrecon.normalise.dose_model import DoseReading
from medrecon.normalise.dosing.facts import Facts, scan
from medrecon.normalise.dosing.lexicon import Lexicon, lexicon
from medrecon.normalise.dosing.patterns import Patterns, patterns
from medrecon.normalise.dosing.restatement import combine
from medrecon.normalise.dosing.statement import Statement, resolve
from medrecon.normalise.dosing.step_statements import (
    complete,
    fill_from_previous,
    unfold_change_rule,
    with_duration,
)
from medrecon.normalise.dosing.steps import StepClause, split_steps
from medrecon.normalise.dosing.text import Speller, normalise_dosing_text

# Longer texts are not dosing instructions (Cosmic allows 254 characters); reading them
# would only cost time.
MAX_TEXT_LENGTH = 1000

_PAREN = re.compile(r"\(([^()]*)\)")
# Token kinds that say when a standing dose is given (for the mixed-order split).
_SCHEDULE = {
    "times",
    "written_times",
    "times_x",
    "period",
    "part",
    "meal",
    "clock",
    "clock_time",
    "every",
    "shorthand",
    "weekday",
    "weekday_list",
    "weekday_range",
    "main_meals",
    "unslotted",
    "days_per_week",
    "written_days_per_week",
}
_AS_NEEDED = {"as_needed", "symptom", "trigger"}
MARKER_MIXED = "stående och vid behov"
# A later step the text names but does not spell out ("..., sedan nedtrappning enligt schema").
_UNSPELT_STEP = DoseReading(text="", understood=False, marker="enligt schema")


@dataclass(frozen=True)
class ClauseReading:
    statement: Statement | None
    markers: tuple[str, ...] = ()
    extra: Statement | None = None  # the as-needed part of a mixed order
    content: bool = False  # the clause says anything about a dose at all


class Reader:
    """Reads dosing texts with one lexicon (the rules folder's, or a test's)."""

    def __init__(self, lex: Lexicon, pats: Patterns) -> None:
        self.lex = lex
        self.pats = pats
        self.speller = Speller(lex)
        # names that end in digits ("D3", "B12") are words, not amounts
        self.keep = frozenset(
            w
            for phrase in lex.list("harmless.phrases")
            for w in phrase.split()
            if any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
        )

    # --- one clause -------------------------------------------------------------------

    def _tokens(self, text: str) -> list[re.Match[str]]:
        return list(self.pats.master.finditer(text))

    def _scan(self, tokens: list[re.Match[str]]) -> Facts:
        return scan(tokens, self.lex)

    def read_clause(self, text: str) -> ClauseReading:
        restated = [m.group(1) for m in _PAREN.finditer(text)]
        main = _PAREN.sub(" , ", text)
        pieces = self.pats.restatement.split(main)
        main, restated = pieces[0], [*pieces[1:], *restated]
        tokens = self._tokens(main)
        main_tokens, extra_tokens = _mixed_split(tokens)
        facts = self._scan(main_tokens)
        markers = list(facts.markers)
        content = facts.has_dose_content()
        statement = resolve(facts)
        for other_text in restated:
            other = self._scan(self._tokens(other_text))
            markers += other.markers
            if other.uncertain:
                return ClauseReading(None, tuple(markers), content=True)
            if not other.has_dose_content():
                continue
            content = True
            other_statement = resolve(other)
            if statement is None or other_statement is None:
                return ClauseReading(None, tuple(markers), content=True)
            statement = combine(statement, other_statement)
        extra = None
        if extra_tokens and statement is not None:
            extra_facts = self._scan(extra_tokens)
            extra_facts.as_needed = True
            if any(t.lastgroup in _SCHEDULE for t in extra_tokens):
                # "1 tablett på morgonen och 2 tabletter till natten vb": does "vb" belong
                # to the night dose only, or to both? Not guessed.
                statement = None
            else:
                extra = resolve(extra_facts)
                if extra is None:
                    statement = None
                elif extra.unit is None and extra.has_amount:
                    extra = replace(extra, unit=statement.unit)  # "1x2 + 1 vb": the same unit
            if statement is None:
                markers.insert(0, MARKER_MIXED)
        return ClauseReading(statement, tuple(markers), extra, content)

    # --- a whole text -----------------------------------------------------------------

    def parse(self, text: str | None) -> DoseReading:
        raw = text if isinstance(text, str) else ""
        norm = normalise_dosing_text(raw, self.keep) if len(raw) <= MAX_TEXT_LENGTH else ""
        if not norm:
            return DoseReading(text=raw, understood=False)
        norm = self.speller.correct(norm)
        week = self.pats.rest_of_week.match(norm)
        if week is not None:
            return self._rest_of_week(raw, week.group("named"), week.group("rest"))
        split = split_steps(norm, self.lex, self.pats)
        if not split.clauses or split.headless:
            return DoseReading(text=raw, understood=False)
        if len(split.clauses) == 1:
            return self._single(raw, split.clauses[0], split.ends)
        return self._stepped(raw, split.clauses, split.ends)

    def _rest_of_week(self, raw: str, named: str, rest: str) -> DoseReading:
        """ "2 tabletter lördag och söndag, övriga dagar 1 tablett": one fixed amount on the
        named weekdays and another on the other days, as the mean amount a day."""
        first, other = self.read_clause(named).statement, self.read_clause(rest).statement
        if first is None or other is None or not first.weekdays or other.weekdays:
            return DoseReading(text=raw, understood=False)
        if first.as_needed or other.as_needed:
            return DoseReading(text=raw, understood=False)
        amounts = (first.amount_min, first.amount_max, other.amount_min, other.amount_max)
        if any(a is None for a in amounts) or first.amount_min != first.amount_max:
            return DoseReading(text=raw, understood=False)
        if other.amount_min != other.amount_max or (other.unit or first.unit) != first.unit:
            return DoseReading(text=raw, understood=False)
        times = first.times_per_day or 1.0
        if (other.times_per_day or times) != times or (other.interval_days or 1.0) != 1.0:
            return DoseReading(text=raw, understood=False)
        named_days = len(first.weekdays)
        on_named, on_other = first.amount_max or 0.0, other.amount_max or 0.0
        mean = (on_named * named_days + on_other * (7 - named_days)) / 7 * times
        merged = replace(
            first,
            amount_min=min(on_named, on_other),
            amount_max=max(on_named, on_other),
            times_per_day=times,
            interval_days=1.0,
            weekdays=(),
            slots=None,
            per_day=mean,
            per_day_min=mean,
        )
        week = ((first.weekdays, on_named), ((), on_other))
        return replace(_reading(raw, merged), by_weekday=week)

    def _single(self, raw: str, clause: StepClause, ends: bool) -> DoseReading:
        reading = self.read_clause(clause.text)
        statement = reading.statement
        marker = reading.markers[0] if reading.markers else None
        if statement is None or not complete(statement):
            return DoseReading(text=raw, understood=False, marker=marker)
        duration = clause.duration_days or statement.duration_days
        statement = replace(statement, duration_days=duration)
        extra = _reading(raw, reading.extra) if reading.extra is not None else None
        return _reading(raw, statement, marker=marker, course=duration, extra=extra)

    def _stepped(self, raw: str, clauses: tuple[StepClause, ...], ends: bool) -> DoseReading:
        statements: list[Statement] = []
        markers: list[str] = []
        placeholder = False  # a later step that is known to exist but not how it doses
        for index, clause in enumerate(clauses):
            if placeholder:
                return DoseReading(text=raw, understood=False)  # steps after an unknown one
            previous = statements[-1] if statements else None
            rule = self.pats.change_rule.match(clause.text) if previous is not None else None
            if rule is not None:
                unfolded = unfold_change_rule(rule, previous, self.lex)
                if unfolded is None:
                    placeholder = True
                    continue
                steps, stops = unfolded
                statements[-1:] = steps
                ends = ends or stops
                continue
            reading = self.read_clause(clause.text)
            markers += reading.markers
            statement = reading.statement
            if statement is None:
                only_marker = bool(reading.markers) and previous is not None
                if only_marker and not _has_numbers(clause.text):
                    placeholder = True  # "40 mg dagl, nedtrappning enligt schema"
                    continue
                return DoseReading(text=raw, understood=False, marker=_first(markers))
            statement = with_duration(statement, clause)
            statement = fill_from_previous(statement, previous)
            if statement is None or not complete(statement, in_steps=True):
                return DoseReading(text=raw, understood=False, marker=_first(markers))
            statements.append(statement)
            if index == 0 and statement.once and statement.duration_days is None:
                statements[-1] = replace(statement, duration_days=1.0)
        if not statements:
            return DoseReading(text=raw, understood=False, marker=_first(markers))
        if all(s.as_needed for s in statements) and not any(s.duration_days for s in statements):
            return _merged_as_needed(raw, statements)
        if len(statements) == 1:
            only = statements[0]
            if placeholder:
                later: tuple[DoseReading, ...] = (_UNSPELT_STEP,)
                return _reading(raw, only, marker=_first(markers), course=None, steps=later)
            course = only.duration_days if (ends or only.duration_days) else None
            return _reading(raw, only, marker=_first(markers), course=course)
        durations = [s.duration_days for s in statements]
        closed = (ends or durations[-1] is not None) and not placeholder
        course = sum(d for d in durations if d) if closed and all(durations) else None
        later_steps = tuple(_reading("", s) for s in statements[1:])
        if placeholder:
            later_steps += (_UNSPELT_STEP,)
        return _reading(
            raw, statements[0], marker=_first(markers), course=course, steps=later_steps
        )


def _first(markers: list[str]) -> str | None:
    return markers[0] if markers else None


def _has_numbers(text: str) -> bool:
    return bool(re.search(r"\d", text))


def _mixed_split(
    tokens: list[re.Match[str]],
) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """Split "1x2 + 1 vb", "... morgon och kväll samt vid behov" into standing and as-needed.

    The as-needed part starts at a conjunction ("och", "samt", "+", or "," followed by an
    amount) after a complete standing schedule. Without such a conjunction the as-needed
    words belong to the whole clause ("1 tablett 3 gånger dagligen vid smärta").
    """
    seen_schedule = False
    conjunction: int | None = None  # the last "och"/"samt"/"+"/"," after a schedule
    pending: int | None = None  # such a conjunction followed by a new amount
    for index, token in enumerate(tokens):
        name = token.lastgroup or ""
        text = token.group(name).strip()
        if name in _SCHEDULE:
            seen_schedule = True
            if pending is None:
                conjunction = None
        elif name == "sep" and text in (",", "och", "samt", "+", "o", ";", "&"):
            if seen_schedule and pending is None:
                conjunction = index
        elif name in ("amount", "word_amount"):
            if conjunction is not None and pending is None:
                pending = conjunction
        elif name in _AS_NEEDED:
            split = pending
            # "1 tablett på morgonen och vid behov" (not after a comma: "till natten, vb")
            if (
                split is None
                and conjunction is not None
                and tokens[conjunction].group("sep").strip() != ","
            ):
                split = conjunction
            if split is None:
                return tokens, []
            return tokens[:split], tokens[split + 1 :]
    return tokens, []


def _merged_as_needed(raw: str, statements: list[Statement]) -> DoseReading:
    """ "2 tabletter vid diarré, därefter 1 tablett efter varje lös avföring, max 8/dygn"."""
    units = {s.unit for s in statements if s.unit}
    if len(units) > 1:
        return DoseReading(text=raw, understood=False)
    amounts = [s for s in statements if s.amount_max is not None]
    maxima = [(s.max_per_day, s.max_unit) for s in statements if s.max_per_day is not None]
    if len({u for _, u in maxima}) > 1:
        return DoseReading(text=raw, understood=False)
    merged = replace(
        statements[0],
        amount_min=min((s.amount_min or 0) for s in amounts) if amounts else None,
        amount_max=max((s.amount_max or 0) for s in amounts) if amounts else None,
        unit=units.pop() if units else None,
        max_per_day=min(m for m, _ in maxima) if maxima else None,
        max_unit=maxima[0][1] if maxima else None,
    )
    return _reading(raw, merged)


def _reading(
    text: str,
    s: Statement,
    *,
    marker: str | None = None,
    course: float | None = None,
    steps: tuple[DoseReading, ...] = (),
    extra: DoseReading | None = None,
) -> DoseReading:
    laterality = s.laterality or 1
    slots = s.slots if s.slots is not None and s.amount_max is not None else None
    daily = daily_min = None
    if not s.as_needed and s.interval_days:
        per_day: float | None
        if s.per_day is not None and s.amount_max is not None:
            per_day, per_day_min = s.per_day, s.per_day_min  # "2+1", "1 morgon 2 kväll"
        elif slots is not None:
            per_day = per_day_min = sum(slots)
        elif s.amount_max is not None and s.times_per_day is not None:
            per_day = s.amount_max * s.times_per_day
            per_day_min = (s.amount_min or s.amount_max) * (s.times_min or s.times_per_day)
        else:
            per_day = per_day_min = None
        if per_day is not None:
            daily = per_day * laterality / s.interval_days
            daily_min = (per_day_min or per_day) * laterality / s.interval_days
    return DoseReading(
        text=text,
        understood=True,
        marker=marker,
        amount_min=s.amount_min,
        amount_max=s.amount_max,
        unit=s.unit,
        times_per_day=s.times_per_day,
        times_min=s.times_min,
        times_stated=s.times_per_day is not None and not s.times_implicit,
        slots=slots if slots is not None else (None, None, None, None),
        interval_days=s.interval_days,
        weekdays=s.weekdays,
        as_needed=s.as_needed,
        max_per_day=s.max_per_day,
        max_unit=s.max_unit,
        max_per_week=s.max_per_week,
        laterality=laterality,
        duration_days=s.duration_days,
        course_days=course,
        steps=steps,
        also_as_needed=extra,
        daily_units=daily,
        daily_units_min=daily_min,
    )


@cache
def reader() -> Reader:
    """The reader of the rules folder (built once per process)."""
    return Reader(lexicon(), patterns())

"""Statements inside steps: when a step is complete, what a later step takes from the
one before ("..., sedan 1 tablett": the schedule carries over), and change rules
("minska med 5 mg var 3:e dag tills utsatt") unfolded into explicit steps.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medrecon.normalise.dosing.layout import rescale
from medrecon.normalise.dosing.lexicon import Lexicon, key
from medrecon.normalise.dosing.statement import Statement
from medrecon.normalise.dosing.steps import StepClause


def complete(s: Statement, *, in_steps: bool = False) -> bool:
    """A statement a nurse could give from: an amount and when (or as-needed)."""
    if s.as_needed:
        return s.has_amount or s.amountless or bool(s.markers) or s.max_per_day is not None
    has_amount = s.has_amount or s.amountless
    if not has_amount:
        return False
    if s.times_per_day is not None or s.interval_days is not None:
        return True
    return in_steps and (s.once or s.duration_days is not None) and s.has_amount


def with_duration(s: Statement, clause: StepClause) -> Statement:
    if clause.duration_days is not None and s.duration_days is None:
        return replace(s, duration_days=clause.duration_days)
    return s


def fill_from_previous(s: Statement, previous: Statement | None) -> Statement | None:
    """A later step that leaves out the amount or the schedule of the step before."""
    if previous is None:
        single_day = s.once or s.duration_days is not None
        if single_day and not s.has_schedule and not s.as_needed and s.has_amount:
            return replace(s, times_per_day=1.0, interval_days=1.0)  # "2 tabletter dag 1"
        return s
    if not s.has_amount and not s.amountless:
        if previous.slots is not None and previous.amount_min != previous.amount_max:
            return None  # "1 morgon, 2 kväll, sedan 1 gång dagligen": which amount?
        s = replace(
            s, amount_min=previous.amount_min, amount_max=previous.amount_max, unit=previous.unit
        )
    elif s.unit is None and previous.unit is not None and not s.as_needed:
        s = replace(s, unit=previous.unit)
    if not s.has_schedule and not s.as_needed:
        if s.once or (s.duration_days is not None and not previous.has_schedule):
            return replace(s, times_per_day=1.0, interval_days=1.0)
        slots = previous.slots
        if slots is not None and s.amount_max is not None:
            slots = rescale(slots, s.amount_max)
            if slots is None:
                return None
        s = replace(
            s,
            times_per_day=previous.times_per_day,
            interval_days=previous.interval_days,
            weekdays=previous.weekdays,
            slots=slots,
        )
    return s


def unfold_change_rule(
    rule: re.Match[str], previous: Statement | None, lex: Lexicon
) -> tuple[list[Statement], bool] | None:
    """ "minska med 5 mg var 3:e dag tills utsatt" from the step before, as explicit steps.

    Returns the step before (given the rule's interval when it had no length) followed by
    each new amount, and whether the course then ends. None when the rule cannot be unfolded
    (no target, another unit, several administrations a day): then it stays unknown.
    """
    if previous is None or previous.amount_max is None:
        return None
    if previous.amount_min != previous.amount_max or (previous.times_per_day or 1) != 1:
        return None
    step = lex.number(rule.group("step"))
    unit = lex.unit(rule.group("unit")) or previous.unit
    if unit != previous.unit or step <= 0:
        return None
    every = lex.every_unit_of[key(rule.group("per"))]
    n = 2 if rule.group("other") else int(rule.group("n") or 1)
    days = {"day": 1.0, "week": 7.0, "month": 30.0}.get(every)
    if days is None:
        return None
    period = n * days
    down = rule.group("down") is not None
    stop = rule.group("stop") is not None
    if rule.group("target"):
        target = lex.number(rule.group("target"))
        target_unit = lex.unit(rule.group("target_unit")) or unit
        if target_unit != unit:
            return None
    elif stop and down:
        target = 0.0
    else:
        return None
    first = (
        previous if previous.duration_days is not None else replace(previous, duration_days=period)
    )
    amounts: list[float] = []
    amount = previous.amount_max
    for _ in range(100):
        amount = amount - step if down else amount + step
        if (down and amount < target - 1e-9) or (not down and amount > target + 1e-9):
            break
        if amount <= 1e-9:
            break
        amounts.append(amount)
        if abs(amount - target) < 1e-9:
            break
    else:
        return None
    if not amounts and target > 0:
        return None
    steps = [first]
    for value in amounts:
        is_target = abs(value - target) < 1e-9 and target > 0
        slots = previous.slots
        if slots is not None:
            slots = tuple(value if v else 0.0 for v in slots)  # type: ignore[assignment]
        steps.append(
            replace(
                previous,
                amount_min=value,
                amount_max=value,
                slots=slots,
                duration_days=None if is_target else period,
            )
        )
    return steps, stop or target == 0.0

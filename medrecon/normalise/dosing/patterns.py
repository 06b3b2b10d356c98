"""The lexicon compiled into one master regex that splits a dosing text into tokens.

Each token kind is a named group; its inner groups are named ``<kind>_<part>`` so one
match gives every number of the token. The order of ``TOKEN_KINDS`` is the grammar's
tie-break: at one position the first kind that matches wins, so longer constructions
("3 dagar i veckan", "var 3:e dag", "högst 8 per dygn") come before the plain amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from medrecon.normalise.dosing.lexicon import Lexicon, fold, lexicon
from medrecon.normalise.dosing.token_patterns import (
    END,
    NUM_DIGITS,
    change_rule_pattern,
    group,
    token_pattern,
)

# Kinds starting with a digit sit behind one "(?=\d)" guard, so words are not tried
# against them (speed). Kinds that also start with a written number ("en gång") appear
# again among the word kinds under a second name (see ``KIND_OF``).
DIGIT_KINDS = (
    "label_strength",
    "ratio_unit",
    "date",
    "clock_time",
    "shorthand",
    "strength",
    "ratio",
    "span",
    "dilution",
    "days_per_week",
    "times",
    "amount_x_unit",
    "amount",
)
WORD_KINDS = (
    "per_weight",
    "word_dilution",
    "prefix",
    "marker",
    "date_range",
    "date_mention",
    "control",
    "removal",
    "contact",
    "negation_phrase",
    "as_needed",
    "trigger",
    "symptom",
    "indication",
    "maximum",
    "min_gap",
    "duration",
    "threshold",
    "monthly_day",
    "first_period",
    "day_number",
    "once",
    "start_word",
    "change",
    "every",
    "written_days_per_week",
    "written_times",
    "distributed",
    "main_meals",
    "clock",
    "weekday_except",
    "weekday_range",
    "weekday_list",
    "weekday",
    "alternate_dates",
    "laterality_both",
    "laterality_one",
    "unslotted",
    "meal",
    "part",
    "period",
    "times_x",
    "x_clock",
    "strength_each",
    "word_span",
    "word_amount",
    "amountless",
    "negation",
    "harmless",
    "sep",
    "numberish",
    "word",
    "other",
)
TOKEN_KINDS = (*DIGIT_KINDS, *WORD_KINDS)
# master group name -> the kind whose reader handles it
KIND_OF = {k: k for k in TOKEN_KINDS} | {
    "written_days_per_week": "days_per_week",
    "written_times": "times",
    "word_amount": "amount",
    "word_span": "span",
    "word_dilution": "dilution",
}


def _letters(word: str) -> str:
    """A regex for one word that also matches it without diacritics (for 4+ letters)."""
    escaped = re.escape(word).replace(r"\.", r"\.\s*").replace("/", r"\s*/\s*")
    if len(fold(word)) < 4 or word.isascii():
        return escaped
    return escaped.replace("å", "[åa]").replace("ä", "[äa]").replace("ö", "[öo]")


def alternation(phrases: tuple[str, ...] | list[str], *, dot: bool = False) -> str:
    """A regex matching any phrase, longest first, with any white space between words."""
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        # "enl. ordination" = "enl ordination": a dot may end any word but the last
        pattern = r"(?:\.\s*|\s+)".join(_letters(w).removesuffix(r"\.\s*") for w in phrase.split())
        if dot and not phrase.endswith("."):
            pattern += r"\.?"
        parts.append(pattern)
    return "(?:" + "|".join(parts) + ")"


@dataclass(frozen=True, eq=False)
class Patterns:
    master: re.Pattern[str]
    step_split: re.Pattern[str]
    numbered_step: re.Pattern[str]
    step_end: re.Pattern[str]
    after_span_step: re.Pattern[str]
    restatement: re.Pattern[str]
    change_rule: re.Pattern[str]
    rest_of_week: re.Pattern[str]  # "<dose> <weekdays>, övriga dagar <dose>"


def build_patterns(lex: Lexicon) -> Patterns:
    w = lex.list
    alt = {
        "unit": alternation([*w("units"), *w("pieces.words")], dot=True) + END,
        "count_unit": alternation(
            [s for c in w("countable.units") for s in w(f"units.{c}")] + list(w("pieces.words")),
            dot=True,
        )
        + END,
        "measure": alternation(list(w("measures"))) + END,
        "pieces": alternation(list(w("pieces.words"))),
        "numword": alternation(list(w("numbers"))) + END,
        "ordinal": alternation(list(w("ordinals"))) + END,
        "part": alternation(
            [*(p for s in ("morning", "noon", "evening", "night") for p in w(f"parts_of_day.{s}"))]
        )
        + END,
        "meal": alternation(
            [*(p for s in ("morning", "noon", "evening", "dinner") for p in w(f"meals.{s}"))]
        )
        + END,
        "prefix": alternation(list(w("part_prefixes.words"))),
        "weekday": alternation(list(w("weekdays")), dot=True) + END,
        "weekday_any": alternation([*w("weekdays"), *w("weekday_short")], dot=True) + END,
        "marker": alternation(list(w("markers"))) + END,
        "as_needed": alternation(list(w("as_needed.phrases"))) + r"(?![^\W_])",
        "symptom": alternation(list(w("as_needed.symptoms"))) + END,
        "indication": alternation(list(w("as_needed.indications"))) + END,
        "trigger": alternation(list(w("as_needed.triggers"))) + END,
        "max": alternation(list(w("maximum.words"))),
        "per_day": alternation(list(w("maximum.per_day"))) + END,
        "per_week_max": alternation(list(w("maximum.per_week"))) + END,
        "gap_tail": alternation(list(w("maximum.gap_tail"))) + END,
        "min_gap": alternation(list(w("maximum.min_gap_words"))),
        "times": alternation(list(w("times.words")), dot=True) + END,
        "times_short": alternation(list(w("times.short"))),
        "day": alternation(list(w("periods.day")), dot=True) + END,
        "week": alternation(list(w("periods.week"))) + END,
        "month": alternation(list(w("periods.month"))) + END,
        "year": alternation(list(w("periods.year"))) + END,
        "every_other": alternation(list(w("every.every_other"))),
        "every": alternation(list(w("every.every"))),
        "every_unit": alternation(
            [*w("every.days"), *w("every.weeks"), *w("every.months"), *w("every.hours")]
        )
        + END,
        "hour_unit": alternation(list(w("every.hours"))) + END,
        "change": alternation(list(w("every.change_words"))),
        "dpw_days": alternation(list(w("days_per_week.days"))),
        "dpw_week": alternation(list(w("days_per_week.per_week"))) + END,
        "dur_prefix": alternation(list(w("duration.prefixes"))),
        "dur_unit": alternation([*w("duration.days"), *w("duration.weeks"), *w("duration.months")])
        + END,
        "first": alternation(list(w("duration.first"))),
        "harmless": alternation(list(w("harmless.phrases"))) + r"(?![^\W_])",
        "prefixes": alternation(list(w("prefixes.phrases"))),
        "laterality_both": alternation(list(w("laterality.both"))) + END,
        "laterality_one": alternation(list(w("laterality.one"))) + END,
        "unslotted": alternation(list(w("parts_of_day.unslotted"))) + END,
        "main_meals": alternation(list(w("meals.all_main_meals"))) + END,
        "span_unit": alternation(list(w("spans.units")), dot=True) + END,
        "span_word": alternation(list(w("spans.words"))),
        "control": alternation(list(w("spans.control"))) + END,
        "dilution": alternation(list(w("spans.dilution"))) + END,
        "threshold": alternation(list(w("spans.threshold"))),
        "per_weight": alternation(list(w("per_weight.phrases"))) + END,
        "amountless": alternation(list(w("amountless.verbs"))) + END,
        "negation": alternation(list(w("negation.words"))) + END,
        "except": alternation(list(w("weekday_except.words"))),
        "alternate_dates": alternation(list(w("alternate_dates.phrases"))) + END,
        "monthly_day": alternation(list(w("monthly_day.phrases"))) + END,
        "distributed": alternation(list(w("distributed.phrases"))),
        "occasions": alternation(list(w("distributed.occasions"))) + END,
        "step_sep": alternation(list(w("steps.separators"))) + END,
        "step_end": alternation(list(w("steps.ends"))) + END,
        "numbered_days": alternation(list(w("steps.numbered_days"))),
        "numbered_weeks": alternation(list(w("steps.numbered_weeks"))),
        "restatement": alternation([r for r in w("restatement.words") if r != "="]) + END,
        "increase": alternation(list(w("steps.increase"))) + END,
        "decrease": alternation(list(w("steps.decrease"))) + END,
        "later": alternation(list(w("steps.later"))) + END,
        "once": alternation(list(w("steps.once"))) + END,
        "start_word": alternation(list(w("steps.start"))) + END,
    }
    digit = "|".join(group(k, token_pattern(k, alt, f"{k}_")) for k in DIGIT_KINDS)
    other = "|".join(group(k, token_pattern(k, alt, f"{k}_")) for k in WORD_KINDS)
    # White space before a token belongs to its match: one step per token, not two.
    master = re.compile(rf"\s*(?:(?=\d)(?:{digit})|{other})")
    separators = alt["step_sep"]
    # a change rule or an unspelt later step after a comma starts a step of its own
    rule = rf"(?:{alt['increase']}|{alt['decrease']}|{alt['later']}(?!\s*:))"
    step_split = re.compile(
        rf"\s*[,;.]?\s*(?<![^\W_]){separators}\s*[,:]?\s*|\s*[,;.]\s*(?={rule})"
    )
    # "Dag 1: ...", "dag 2-10: ..."; without the colon only at the start of a clause and
    # before a number ("Dag 1-3 1 tablett morgon, dag 4-7 1 tablett morgon och kväll")
    unit = rf"(?:(?P<days>{alt['numbered_days']})|(?P<weeks>{alt['numbered_weeks']}))"
    span = r"\s+(?P<first>\d+)(?:\s*-\s*(?P<last>\d+))?"
    start = r"(?P<start>^|(?<=[,;.])\s*)?(?<![^\W_])"
    numbered = rf"{start}{unit}{span}(?(start)(?:\s*:|(?=\s+\d))|\s*:)"
    after_span = (
        rf"(?:^|(?<=[.;]))\s*efter\s+(?P<n>{NUM_DIGITS}|{alt['numword']})\s*"
        rf"(?P<unit>{alt['dur_unit']})\s*[,:]?\s*"
    )
    return Patterns(
        master=master,
        step_split=step_split,
        numbered_step=re.compile(numbered),
        step_end=re.compile(rf"^\s*(?:{alt['step_end']})\s*[.!]*\s*$"),
        after_span_step=re.compile(after_span),
        restatement=re.compile(rf"\s*(?:,\s*)?(?:(?<![^\W_]){alt['restatement']}|=)\s*:?\s*"),
        change_rule=re.compile(change_rule_pattern(alt), re.VERBOSE),
        rest_of_week=re.compile(
            rf"^(?P<named>.+?)\s*[,;.]?\s*(?<![^\W_])(?:{alternation(list(w('weekday_except.rest')))})"
            rf"(?![^\W_])\s*[:,]?\s*(?P<rest>.+)$"
        ),
    )


@cache
def patterns() -> Patterns:
    """The patterns of the rules folder's lexicon (built once per process)."""
    return build_patterns(lexicon())

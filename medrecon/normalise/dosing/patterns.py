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

NUM_DIGITS = r"\d+(?:\.\d+)?"
INTEGER = r"\d+"
# "1-2", "1 à 2", "1 a 2", "1 till 2", "1 eller 2".
RANGE_SEP = r"(?:\s*-\s*|\s*à\s*|\s+(?:a|till|eller)\s+)"
END = r"(?![^\W_])"  # a phrase ends at a word boundary ("vb" but not "vbx")
# A date "2025-11-03" or "12/11"; "12/11" is checked to be a real day and month in code.
DATE = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
ORDINAL_SUFFIX = r"(?:\s*:\s*(?:e|a|de|dje)|\s?(?:e|a)(?![^\W_]))?"

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


def _group(name: str, pattern: str) -> str:
    return f"(?P<{name}>{pattern})"


@dataclass(frozen=True, eq=False)
class Patterns:
    master: re.Pattern[str]
    step_split: re.Pattern[str]
    numbered_step: re.Pattern[str]
    step_end: re.Pattern[str]
    after_span_step: re.Pattern[str]
    restatement: re.Pattern[str]
    change_rule: re.Pattern[str]


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
    digit = "|".join(_group(k, token_pattern(k, alt, f"{k}_")) for k in DIGIT_KINDS)
    other = "|".join(_group(k, token_pattern(k, alt, f"{k}_")) for k in WORD_KINDS)
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
        change_rule=re.compile(_change_rule(alt), re.VERBOSE),
    )


def _change_rule(a: dict[str, str]) -> str:
    """ "öka med 25 mg var 3:e dag till 100 mg", "minska med 5 mg varje vecka tills utsatt"."""
    num = rf"{NUM_DIGITS}|{a['numword']}"
    return rf"""
        ^\s*(?:(?P<up>{a["increase"]})|(?P<down>{a["decrease"]}))\s+
        (?P<step>{num})\s*(?P<unit>{a["unit"]})?(?:\s*(?:/\s*dag|/\s*dygn|per\s+dag))?\s+
        (?:var\s+(?P<n>\d+){ORDINAL_SUFFIX}|(?P<other>varannan)|varje)\s+
        (?P<per>{a["every_unit"]})
        (?:\s+(?:till\s+(?P<target>{num})\s*(?P<target_unit>{a["unit"]})?
               (?:\s+(?:{a["day"]}))?
              |(?P<stop>tills\s+(?:helt\s+)?(?:utsatt|slut|utsättning))))?
        \s*[.!]*\s*$
    """


def token_pattern(kind: str, a: dict[str, str], n: str) -> str:
    """The pattern of one token kind; its inner groups are named with the prefix ``n``."""
    num = rf"(?:{NUM_DIGITS}(?:\s+(?:och|o)\s+en\s+halv{END})?|{a['numword']})"

    def g(part: str, pattern: str) -> str:
        return _group(n + part, pattern)

    def num_range() -> str:
        return f"{g('lo', num)}(?:{RANGE_SEP}{g('hi', num)})?"

    not_part = rf"(?!{a['part']})"  # "1 t.n.": "t" is not a tablet before a time of day
    pieces_first = rf"(?:{a['pieces']}\.?\s+(?={a['unit']}))?"  # "1 st tablett", "2 st kapslar"
    unit = rf"{not_part}{pieces_first}(?:{g('unit', a['unit'])}|{g('measure', a['measure'])})"
    strength_unit = r"(?:mg|g|mikrog|mikrogram|µg|μg|mcg|e|ie|enheter|mmol|%|ml|mikrol)"
    per = (
        r"(?:ml|g|h|t|tim|timme|timmar|dos|spray|puff|sprayning|inhalation|"
        rf"24\s*(?:h|tim|timmar)|{NUM_DIGITS}\s*ml)"
    )
    if kind == "date":
        return rf"{g('value', DATE)}(?![\d.])"
    if kind == "clock_time":
        return g("hours", r"\d{1,2}:\d{2}") + r"(?!\d)"
    if kind == "shorthand":
        plus = rf"{NUM_DIGITS}(?:\s*\+\s*{NUM_DIGITS}){{1,3}}"
        dash = rf"{NUM_DIGITS}(?:\s*-\s*{NUM_DIGITS}){{2,3}}"
        values = g("values", f"{plus}|{dash}")
        return rf"{values}(?![\d.])(?!\s*[+-]\s*\d)(?:\s*{g('unit', a['unit'])})?"
    if kind == "strength":
        one = rf"{NUM_DIGITS}\s*{strength_unit}"
        return (
            rf"{one}(?:\s*/\s*{one})+(?:\s*/\s*{per})?{END}"
            rf"|{one}\s*/\s*{per}{END}"
        )
    if kind == "ratio":  # "160/4.5": a combination strength without a unit
        return rf"{NUM_DIGITS}\s*/\s*{NUM_DIGITS}(?:\s*/\s*{NUM_DIGITS})?"
    if kind == "ratio_unit":  # "49/51 mg", "97/103 mg": a combination strength
        return rf"{NUM_DIGITS}\s*/\s*{NUM_DIGITS}(?:\s*/\s*{NUM_DIGITS})?\s*{strength_unit}{END}"
    if kind == "label_strength":  # "Levaxin 50 mikrog: 1 tablett": the product's strength
        return rf"{NUM_DIGITS}\s*{strength_unit}{END}(?:\s*/\s*{per})?\s*:(?!\s*$)"
    if kind in ("span", "word_span"):  # "30 min före", "efter 2 timmar", "i 24 tim"
        before = rf"(?:{a['span_word']}\s+)?" if kind == "span" else rf"{a['span_word']}\s+"
        after = rf"(?:\s+{a['span_word']}(?!\s+{a['as_needed']}))?"
        return rf"{before}{g('n', num)}\s*{a['span_unit']}{after}"
    if kind in ("dilution", "word_dilution"):  # "i 1 glas vatten", "i ett halvt glas"
        return rf"(?:i\s+)?{num}\s*{a['dilution']}"
    if kind == "days_per_week":
        return rf"{g('n', num)}\s*{a['dpw_days']}\s*{a['dpw_week']}"
    if kind == "times":
        short = rf"{a['times_short']}(?=\s*(?:{a['day']}|{a['week']}))"
        return rf"{num_range()}\s*(?:{a['times']}|{short})"
    if kind == "amount_x_unit":  # "1x2 tabl": one tablet twice
        count_unit = g("unit", a["count_unit"])
        return rf"{g('lo', num)}\s*x\s*{g('n', INTEGER)}\s*{count_unit}"
    if kind == "amount":
        # "500 mg-1 g": a range whose ends are written in different mass units
        masses = r"(?:mg|g|mikrog|mikrogram|µg|mcg)"
        lo_unit = g("lo_unit", masses)
        mixed = rf"{g('mlo', num)}\s*{lo_unit}\s*-\s*{g('mhi', num)}(?=\s*{masses}{END})"
        # a number before "+ 2" belongs to a shorthand ("1+0+1+0+1" is not "1" and "0+1+0+1")
        return rf"(?:{mixed}|{num_range()})(?!\s*\+\s*\d)(?:\s*{unit})?"
    if kind == "per_weight":
        return a["per_weight"]
    if kind == "threshold":
        return rf"{a['threshold']}\s*{NUM_DIGITS}(?:\s*{strength_unit}{END})?"
    if kind == "prefix":
        return rf"{a['prefixes']}"
    if kind == "marker":
        return a["marker"]
    if kind == "date_range":
        frm = r"(?:fr\.?\s*o\.?\s*m\.?|från\s+och\s+med|från)"
        tom = r"(?:t\.?\s*o\.?\s*m\.?|till\s+och\s+med|till)"
        return rf"{frm}\s*{g('first', DATE)}\s*{tom}\s*{g('last', DATE)}(?![\d.])"
    if kind == "date_mention":
        return (
            r"(?:fr\.?\s*o\.?\s*m\.?|t\.?\s*o\.?\s*m\.?|från\s+och\s+med|till\s+och\s+med"
            rf"|från|datum)\s*(?:{DATE})(?![\d.])"
        )
    if kind == "control":
        return (
            rf"{a['control']}(?:\s+[^\W\d_]+){{0,4}}?\s+(?:om|efter|inom|i)\s+"
            rf"(?:{num})\s*(?:{a['dur_unit']}|{a['span_unit']})"
        )
    if kind == "removal":
        tail = rf"(?:(?:{a['prefix']}\s+)?{a['part']}|efter\s+{num}\s*{a['span_unit']})"
        return rf"(?:tas|tages|avlägsnas|dras)\s+(?:bort|av)\s+{tail}"
    if kind == "contact":
        return (
            r"(?:kontakta|kontakt\s+med|ring|sök\s+vård|hör\s+av\s+dig|avbryt\s+behandlingen"
            r"|avbryt)(?:\s+[^\W\d_]+){0,2}?\s+vid"
        )
    if kind == "negation_phrase":
        return r"(?:ej|inte)\s+(?:mer\s+än|över|fler\s+än)"  # read with "maximum" below
    if kind == "as_needed":
        return a["as_needed"]
    if kind == "trigger":
        return a["trigger"]
    if kind == "symptom":
        return rf"(?:vid|mot\s+akut|om)\s+{g('what', a['symptom'])}"
    if kind == "indication":
        return rf"(?:vid|mot|för)\s+{a['indication']}"
    if kind == "maximum":
        per_times = rf"{num_range()}\s*(?:{g('times', a['times'])}|{g('unit', a['unit'])})?"
        by_hours = rf"{a['every']}\s+{g('hours', INTEGER)}{ORDINAL_SUFFIX}\s+{a['hour_unit']}"
        per_week = g("week", a["per_week_max"])
        limit = rf"(?:{a['max']}|(?:ej|inte)\s+(?:mer\s+än|över|fler\s+än))"
        return (
            rf"(?:\(\s*)?{limit}\s*:?\s*(?:{per_times}\s*(?:{a['per_day']}|{per_week})"
            rf"|{by_hours})"
        )
    if kind == "min_gap":
        return rf"{a['min_gap']}\s+{g('hours', INTEGER)}\s*{a['span_unit']}\s+{a['gap_tail']}"
    if kind == "duration":
        limit = rf"(?:(?:{a['max']})\s+)?"
        return rf"{a['dur_prefix']}\s+{limit}{g('n', num)}\s*{g('unit', a['dur_unit'])}"
    if kind == "first_period":
        unit = g("unit", "dagen|dygnet|veckan|dag|vecka")
        return rf"{a['first']}\s+{unit}{END}"
    if kind == "day_number":
        return rf"(?:på\s+)?dag\s+{g('first', INTEGER)}(?:\s*-\s*{g('last', INTEGER)})?(?!\s*:)"
    if kind == "once":
        return a["once"]
    if kind == "start_word":
        return a["start_word"]
    if kind == "change":
        return rf"{a['change']}\s+{g('n', num)}\s*{g('unit', a['dur_unit'])}"
    if kind == "every":
        nth = (
            rf"(?:{g('n', INTEGER)}(?:\s*-\s*{g('n_hi', INTEGER)})?{ORDINAL_SUFFIX}"
            rf"|{g('ord', a['ordinal'])})"
        )
        other = g("other", a["every_other"])
        return rf"(?:{other}|{a['every']}\s+{nth})\s*{g('unit', a['every_unit'])}"
    if kind == "written_days_per_week":
        return rf"{g('n', num)}\s*{a['dpw_days']}\s*{a['dpw_week']}"
    if kind == "written_times":
        return rf"{num_range()}\s*{a['times']}"
    if kind == "distributed":
        return rf"{a['distributed']}\s+{g('n', num)}\s*{a['occasions']}"
    if kind == "main_meals":
        return rf"(?:(?:till|vid|i\s+samband\s+med|efter|före|med)\s+)?{a['main_meals']}"
    if kind == "clock":
        # A number followed by a unit is an amount, not an hour ("kl 8 och 1 tablett kl
        # 20"); after "och" so is a number followed by a time ("kl 8 och 1 på kvällen").
        hour = r"\d{1,2}(?:[.:]\d{2})?(?!\d|\.\d)\.?"
        first = rf"{hour}(?!\s*{a['unit']})"
        amount = (
            rf"{a['unit']}|(?:{a['prefix']}\s+)?(?:{a['part']}|{a['meal']})|{a['as_needed']}|kl\b"
        )
        later = rf"{hour}(?!\s*(?:{amount}))"
        sep = r"(?:,|och|o|samt|&|/|\+|-)"
        more = rf"(?:\s*{sep}?\s*(?:(?:kl|klockan)\.?\s*)?{later})*"
        return rf"(?:kl|klockan)\.?\s*{g('hours', first + more)}"
    if kind == "weekday_except":
        day = a["weekday"]
        days = g("days", day + rf"(?:\s*(?:,|och|o|&|samt)\s*{day})*")
        return rf"{a['except']}\s+{days}"
    if kind == "weekday_range":
        first, last = g("first", a["weekday"]), g("last", a["weekday"])
        return rf"{first}\s*(?:-|till)\s*{last}(?!\s*-)"
    if kind == "weekday_list":
        day = a["weekday_any"]
        more = rf"(?:\s*(?:,|och|o|&|samt|-|/)\s*{day})+"
        return rf"(?:(?:på|varje|om)\s+)?{g('days', day + more)}"
    if kind == "weekday":
        return rf"(?:(?:på|varje|om|alla)\s+)?{g('day', a['weekday'])}"
    if kind == "alternate_dates":
        return rf"(?:(?:på|alla)\s+)?{a['alternate_dates']}"
    if kind == "monthly_day":
        return a["monthly_day"]
    if kind == "laterality_both":
        return a["laterality_both"]
    if kind == "laterality_one":
        return a["laterality_one"]
    if kind == "unslotted":
        return a["unslotted"]
    if kind == "meal":
        return rf"(?:{g('prefix', a['prefix'])}\s+)?{g('meal', a['meal'])}"
    if kind == "part":
        return rf"(?:{a['prefix']}\s+)?{g('part', a['part'])}"
    if kind == "period":
        return (
            rf"{g('week', a['week'])}|{g('month', a['month'])}|{g('year', a['year'])}"
            rf"|{g('day', a['day'])}|{g('bare_day', 'dag')}(?=\s*[.!]*\s*$)"
        )
    if kind == "times_x":
        # "2 x 1 g" is not "2, once a day" followed by a stray "g"; "x 1 t.o.m." is.
        unit_here = rf"(?!t\.\s*[onv]){a['unit']}"
        return rf"[x×]\s*{g('lo', INTEGER)}(?:\s*-\s*{g('hi', INTEGER)})?{END}(?!\s*{unit_here})"
    if kind == "x_clock":
        return r"x(?=\s*(?:kl|klockan)\b)"
    if kind == "strength_each":
        one = rf"{NUM_DIGITS}\s*{strength_unit}{END}"
        ratio = rf"{NUM_DIGITS}\s*/\s*{NUM_DIGITS}(?:\s*{strength_unit}{END})?"
        return rf"(?:à|a)\s*(?:{ratio}|{one}(?:\s*/\s*{per}{END})?)"
    if kind == "word_amount":  # "en tablett", "två på morgonen"
        context = (
            rf"(?=\s+(?:(?:{a['prefix']}\s+)?(?:{a['part']}|{a['meal']})|{a['as_needed']}|[x×]"
            rf"|kl\b|klockan\b|{a['day']}|om\s+dan))"
        )
        return rf"{num_range()}(?:\s*{unit}|{context})"
    if kind == "amountless":
        return a["amountless"]
    if kind == "harmless":
        return a["harmless"]
    if kind == "negation":
        return a["negation"]
    if kind == "sep":
        return r"(?:och|samt|o|ock)(?![^\W_])|[,;:/&+().!?*'\"\-\[\]]"
    if kind == "word":
        return r"[^\W\d_]+"
    if kind == "numberish":
        return r"[\d\u00b2\u00b3\u00b9\u00bc-\u00be\u2070-\u209f\u2150-\u218b]"
    return r"."


@cache
def patterns() -> Patterns:
    """The patterns of the rules folder's lexicon (built once per process)."""
    return build_patterns(lexicon())

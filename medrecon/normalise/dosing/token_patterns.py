"""The regex of each token kind of the dosing grammar, and the atoms they are made of.

``token_pattern(kind, alternations, prefix)`` gives one kind's pattern with its inner
groups named ``<prefix><part>``; ``patterns.build_patterns`` joins them, in the order of
``TOKEN_KINDS``, into the master regex.
"""

from __future__ import annotations

NUM_DIGITS = r"\d+(?:\.\d+)?"
INTEGER = r"\d+"
# "1-2", "1 à 2", "1 a 2", "1 till 2", "1 eller 2".
RANGE_SEP = r"(?:\s*-\s*|\s*à\s*|\s+(?:a|till|eller)\s+)"
END = r"(?![^\W_])"  # a phrase ends at a word boundary ("vb" but not "vbx")
# A date "2025-11-03" or "12/11"; "12/11" is checked to be a real day and month in code.
DATE = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
ORDINAL_SUFFIX = r"(?:\s*:\s*(?:e|a|de|dje)|\s?(?:e|a)(?![^\W_]))?"


def group(name: str, pattern: str) -> str:
    return f"(?P<{name}>{pattern})"


def change_rule_pattern(a: dict[str, str]) -> str:
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
        return group(n + part, pattern)

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

"""Property tests of the dosing parser: total, deterministic, and columns == text."""

from __future__ import annotations

import dataclasses
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from medrecon.normalise.dose_model import DoseReading
from medrecon.normalise.dosing import dose_from_slots, parse_dosing
from medrecon.normalise.dosing.reader import MARKER_MIXED

# Words and signs of real dosing texts, so that generated texts reach deep into the grammar
# instead of failing at the first letter.
VOCABULARY = [
    "1", "2", "3", "½", "1½", "0,5", "1/2", "1-2", "1–2", "à", "10", "24", "8", "0",
    "en", "ett", "två", "tre", "halv", "en halv", "tablett", "tabletter", "tabl", "kapsel",
    "ml", "E", "puffar", "droppar", "plåster", "st", "mg", "g", "x", "x 2", "1x2", "+",
    "1+0+1+0", "2+2+2", "gånger", "gång", "ggr", "dagligen", "/dag", "per dygn", "i veckan",
    "varannan", "var", "tredje", "3:e", "dag", "dagar", "vecka", "timme", "morgon",
    "på morgonen", "middag", "kväll", "till natten", "natt", "kl", "kl 8", "och", "samt",
    "eller", ",", ".", ":", "vid behov", "vb", "v.b.", "högst", "max", "per", "dygn",
    "i 5 dagar", "sedan", "därefter", "enligt ordination", "enligt INR", "enligt schema",
    "måndagar", "torsdagar", "mån", "-", "fredag", "mot smärta", "tas med mat", "ej",
    "3 dagar i veckan", "högst 8 per dygn", "högst 3 gånger per dygn", "var 8:e timme",
    "i vardera ögat", "OU", "tesked", "(", ")", "=", "dvs", "var 4-6 timme", "97/103 mg",
    "/kg", "per kg", "frukost", "lunch", "kvällsmat", "till middag", "öka med", "minska med",
    "tills utsatt", "dag 1:", "Dag 2-5:", "första dagen", "Efter 2 veckor", "1x3/v",
    "max 4 g/dygn", "2025-11-03", "12/11", "fr.o.m.", "t.o.m.", "uppehåll", "utom", "lördag",
    "30 min före", "kontroll om 2 veckor", "smörjes", "dagligenn", "tabelett", "st",
]  # fmt: skip
dosing_like = st.lists(st.sampled_from(VOCABULARY), max_size=12).map(" ".join)
NUMERIC = (
    "amount_min",
    "amount_max",
    "times_per_day",
    "interval_days",
    "max_per_day",
    "daily_units",
    "duration_days",
)


def _without_text(reading: DoseReading) -> DoseReading:
    return dataclasses.replace(reading, text="")


def _check_invariants(reading: DoseReading) -> None:
    """What every reading promises, whatever the text."""
    if not reading.understood:
        assert all(getattr(reading, f) is None for f in NUMERIC)
        assert reading.slots == (None, None, None, None)
        assert reading.unit is None and reading.steps == () and not reading.as_needed
        return
    for step in (reading, *reading.steps):
        if not step.understood:  # a later step the text does not spell out
            assert step is not reading and step.marker is not None
            continue
        if step.amount_max is None:  # "Smörjes 2 gånger dagligen", "vb enligt ordination"
            assert step.amount_min is None and step.daily_units is None
            assert step.as_needed or step.times_per_day is not None
            continue
        assert step.amount_min is not None
        assert 0 < step.amount_min <= step.amount_max
        if step.as_needed:
            assert step.daily_units is None
        else:
            assert step.times_per_day is not None and step.interval_days is not None
            assert step.daily_units is not None and step.daily_units > 0
            slots = [v for v in step.slots if v is not None]
            per_day = sum(slots) if slots else step.amount_max * step.times_per_day
            # "2+1" or "2 kl 8, 1 kl 9": per day is the sum of different amounts, not max x n
            if slots or step.amount_min == step.amount_max:
                expected = per_day * step.laterality / step.interval_days
                assert math.isclose(step.daily_units, expected)
        if any(v is not None for v in step.slots):
            assert all(v is not None and v >= 0 for v in step.slots)
            if not step.as_needed:  # an as-needed dose at a time of day has no count
                assert step.times_per_day == sum(1 for v in step.slots if v)


@settings(max_examples=400)
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    reading = parse_dosing(text)
    assert reading.text == text
    _check_invariants(reading)


@settings(max_examples=600)
@given(dosing_like)
def test_never_raises_on_dosing_like_text(text: str) -> None:
    _check_invariants(parse_dosing(text))


@given(st.text(max_size=200), st.sampled_from(["", " ", "  ", "\t", "\n", " \u00a0 "]))
def test_deterministic_and_blind_to_surrounding_white_space(text: str, pad: str) -> None:
    first = parse_dosing(text)
    assert parse_dosing(text) == first
    assert _without_text(parse_dosing(pad + text + pad)) == _without_text(first)


@given(dosing_like)
def test_blind_to_case(text: str) -> None:
    reading = _without_text(parse_dosing(text))
    assert _without_text(parse_dosing(text.upper())) == reading
    assert _without_text(parse_dosing(text.title())) == reading
    assert _without_text(parse_dosing(text.lower())) == reading


# --- Pascal's time columns against the equivalent texts --------------------------------------

AMOUNTS = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0]
SPELLINGS = {
    0.5: ["½", "0,5", "0.5", "1/2", "en halv"],
    1.0: ["1", "en"],
    1.5: ["1½", "1,5", "1 1/2", "en och en halv"],
    2.0: ["2", "två"],
    3.0: ["3", "tre"],
    10.0: ["10"],
}
SHORTHAND_SPELLINGS = {0.0: ["0"], 0.5: ["½", "0,5", "0.5"], 1.5: ["1½", "1,5", "1.5"]}
PARTS = [
    ["på morgonen", "morgon", "kl 8", "varje morgon", "på förmiddagen"],
    ["mitt på dagen", "middag", "vid lunch", "kl 12"],
    ["på kvällen", "kväll", "kl 18", "till kvällen"],
    ["till natten", "vid sänggående", "natt", "kl 22"],
]
slot_amounts = st.tuples(*[st.sampled_from(AMOUNTS)] * 4).filter(lambda s: any(s))


def _structure(reading: DoseReading) -> tuple[object, ...]:
    return reading.times_per_day, reading.slots, reading.daily_units


def _unit(amount: float, data: st.DataObject) -> str:
    if amount > 1:
        return data.draw(st.sampled_from(["tabletter ", "tabl ", ""]))
    return data.draw(st.sampled_from(["tablett ", "tabl ", ""]))


@st.composite
def swedish_text(draw: st.DrawFn, slots: tuple[float, ...]) -> str:
    """ "1 tablett på morgonen och 2 tabletter till natten", or grouped by amount:
    "1 tablett morgon och kväll, 2 till natten"."""
    phrases = draw(swedish_phrases(slots))
    return draw(st.sampled_from([" och ", ", ", " samt "])).join(phrases)


@st.composite
def swedish_phrases(draw: st.DrawFn, slots: tuple[float, ...]) -> list[str]:
    """One phrase per amount: ["1 tablett morgon och kväll", "2 till natten"]."""
    data = draw(st.data())
    given = [(i, v) for i, v in enumerate(slots) if v]
    if draw(st.booleans()):
        groups = [(v, [i for i, w in given if w == v]) for v in dict.fromkeys(v for _, v in given)]
    else:
        groups = [(v, [i]) for i, v in given]
    phrases = []
    for amount, indices in groups:
        number = draw(st.sampled_from(SPELLINGS[amount]))
        parts = " och ".join(draw(st.sampled_from(PARTS[i])) for i in indices)
        phrases.append(f"{number} {_unit(amount, data)}{parts}")
    return phrases


def _shorthand_value(amount: float, data: st.DataObject) -> str:
    spellings = SHORTHAND_SPELLINGS.get(amount, [f"{amount:g}"])
    return data.draw(st.sampled_from(spellings))


@settings(max_examples=300)
@given(slot_amounts, st.data())
def test_columns_equal_shorthand_and_text(slots: tuple[float, ...], data: st.DataObject) -> None:
    # Pascal leaves an unused time column empty or writes 0: both mean none.
    columns = [None if v == 0 and data.draw(st.booleans()) else v for v in slots]
    from_columns = dose_from_slots(*columns)
    assert from_columns.understood
    assert from_columns.daily_units is not None
    assert math.isclose(from_columns.daily_units, sum(slots))

    shorthand = "+".join(_shorthand_value(v, data) for v in slots)
    from_shorthand = parse_dosing(shorthand)
    assert _structure(from_shorthand) == _structure(from_columns), shorthand
    if slots[3] == 0:  # three numbers: morning + noon + evening
        three = "+".join(_shorthand_value(v, data) for v in slots[:3])
        assert _structure(parse_dosing(three)) == _structure(from_columns), three

    text = data.draw(swedish_text(slots))
    from_text = parse_dosing(text)
    assert from_text.understood, text
    assert _structure(from_text) == _structure(from_columns), text
    assert (from_text.amount_min, from_text.amount_max) == (
        from_columns.amount_min,
        from_columns.amount_max,
    ), text


@given(slot_amounts, st.data())
def test_as_needed_columns_equal_as_needed_text(
    slots: tuple[float, ...], data: st.DataObject
) -> None:
    from_columns = dose_from_slots(*slots, as_needed=True)
    phrases = data.draw(swedish_phrases(slots))
    body = data.draw(st.sampled_from([" och ", ", "])).join(phrases)
    as_needed = data.draw(st.sampled_from(["vid behov", "vb"]))
    if data.draw(st.booleans()):
        text = f"{as_needed} {body}"  # before every amount: all of it is as needed
    else:
        text = f"{body} {as_needed}"
        if len(phrases) > 1:
            # "1 tablett på morgonen och 2 till natten vid behov": is the morning dose as
            # needed too? One reading has one as-needed flag, so: not understood.
            reading = parse_dosing(text)
            assert not reading.understood and reading.marker == MARKER_MIXED, text
            return
    from_text = parse_dosing(text)
    assert from_text.as_needed and from_columns.as_needed
    assert _structure(from_text) == _structure(from_columns), text
    assert from_text.max_per_day == from_columns.max_per_day, text

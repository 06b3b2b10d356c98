"""Patient ids: every written form of personnummer, samordningsnummer and reserve numbers."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from medrecon.errors import MedreconError
from medrecon.ids import (
    canonical_patient_id,
    display_patient_id,
    display_patient_ids,
    normalise_patient_ids,
)

TODAY = date(2026, 1, 15)


def luhn_digit(nine: str) -> str:
    total = 0
    for pos, ch in enumerate(nine):
        d = int(ch) * (2 if pos % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def with_check(date8: str, serial3: str) -> str:
    return date8 + serial3 + luhn_digit(date8[2:] + serial3)


KARIN = with_check("19400512", "123")  # 194005121233
OLD = with_check("19200316", "456")  # 105 years old on TODAY
CENTENARIAN = with_check("19251231", "111")  # 100 years and a bit on TODAY
COORD = with_check("19400572", "381")  # samordningsnummer: born 12 May 1940


def check(values: list[str | None]) -> list[tuple[str | None, str | None]]:
    frame = normalise_patient_ids(pl.Series(values, dtype=pl.String), today=TODAY)
    assert isinstance(frame, pl.DataFrame)
    return list(zip(frame["patient_id"], frame["reason"], strict=True))


def test_check_digit_helper_matches_known_number() -> None:
    # 811218-9876 is the Swedish Tax Agency's textbook example of a valid personnummer.
    assert luhn_digit("811218987") == "6"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        (KARIN, KARIN),  # 12 digits
        (f"{KARIN[:8]}-{KARIN[8:]}", KARIN),  # YYYYMMDD-NNNN
        (f"{KARIN[2:8]}-{KARIN[8:]}", KARIN),  # YYMMDD-NNNN
        (f"{KARIN[2:8]}{KARIN[8:]}", KARIN),  # YYMMDDNNNN
        (f"  {KARIN}  ", KARIN),  # surrounding spaces
        (f"{OLD[2:8]}+{OLD[8:]}", OLD),  # YYMMDD+NNNN: 100 years or older
        (f"{CENTENARIAN[2:8]}+{CENTENARIAN[8:]}", CENTENARIAN),
        (COORD, COORD),  # samordningsnummer, day + 60, kept as is
        (f"{COORD[2:8]}-{COORD[8:]}", COORD),
        ("19400512SF1A", "19400512SF1A"),  # Värmland reserve number, no check digit
        ("19400512sx19", "19400512SX19"),  # lower case is upper-cased
        ("19400512SL0B", "19400512SL0B"),
    ],
)
def test_valid_forms_give_the_canonical_id(written: str, canonical: str) -> None:
    assert check([written]) == [(canonical, None)]


def test_ten_digit_form_without_sign_is_under_100() -> None:
    # "200316-4562" (no +) is a child born 2020 (the 1920 person needs a "+").
    child = with_check("20200316", "456")
    assert check([f"{child[2:8]}-{child[8:]}"]) == [(child, None)]


def test_century_for_a_birthday_later_this_year_is_the_previous_one() -> None:
    # On 2026-01-15, 260114 is born this century, 260116 would be in the future -> 1926.
    past = with_check("20260114", "123")
    last_century = with_check("19260116", "123")
    assert check([past[2:8] + "-" + past[8:], last_century[2:8] + "-" + last_century[8:]]) == [
        (past, None),
        (last_century, None),
    ]


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("19400512-1235", "ogiltigt personnummer 19400512-1235 (kontrollsiffra)"),
        ("194005121235", "ogiltigt personnummer 194005121235 (kontrollsiffra)"),
        ("400512-1235", "ogiltigt personnummer 400512-1235 (kontrollsiffra)"),
        ("400512+1235", "ogiltigt personnummer 400512+1235 (kontrollsiffra)"),
        (
            f"{COORD[:11]}{(int(COORD[11]) + 1) % 10}",
            f"ogiltigt samordningsnummer {COORD[:11]}{(int(COORD[11]) + 1) % 10} (kontrollsiffra)",
        ),
        ("19400230-1234", "ogiltigt personnummer 19400230-1234 (omöjligt datum)"),
        ("19401312-1234", "ogiltigt personnummer 19401312-1234 (omöjligt datum)"),
        ("19410229-1234", "ogiltigt personnummer 19410229-1234 (omöjligt datum)"),
        ("19400500-1234", "ogiltigt personnummer 19400500-1234 (omöjligt datum)"),
        ("19400592-1234", "ogiltigt samordningsnummer 19400592-1234 (omöjligt datum)"),
        ("20990101-1234", "ogiltigt personnummer 20990101-1234 (datum i framtiden)"),
        ("19400532SF1A", "ogiltigt reservnummer 19400532SF1A (omöjligt datum)"),
        ("19400512SA1A", "ogiltigt personnummer 19400512SA1A (okänt format)"),
        ("19400512SF11X", "ogiltigt personnummer 19400512SF11X (okänt format)"),
        ("1940-05-12", "ogiltigt personnummer 1940-05-12 (okänt format)"),
        ("Karin", "ogiltigt personnummer Karin (okänt format)"),
        ("19400512/1233", "ogiltigt personnummer 19400512/1233 (okänt format)"),
        ("", "personnummer saknas"),
        ("   ", "personnummer saknas"),
        (None, "personnummer saknas"),
    ],
)
def test_invalid_ids_get_a_swedish_reason(written: str | None, reason: str) -> None:
    assert check([written]) == [(None, reason)]


def test_leap_day_is_a_real_date() -> None:
    leap = with_check("19400229", "123")
    assert check([leap]) == [(leap, None)]


def test_expression_form_keeps_row_order_and_repeats() -> None:
    frame = pl.DataFrame({"pnr": [KARIN, "x", None, KARIN, OLD]})
    out = frame.select(normalise_patient_ids(pl.col("pnr"), today=TODAY).alias("checked")).unnest(
        "checked"
    )
    assert out["patient_id"].to_list() == [KARIN, None, None, KARIN, OLD]
    assert out["reason"].to_list() == [
        None,
        "ogiltigt personnummer x (okänt format)",
        "personnummer saknas",
        None,
        None,
    ]


def test_canonical_patient_id_for_a_command_line() -> None:
    assert canonical_patient_id(f"{KARIN[2:8]}-{KARIN[8:]}", today=TODAY) == KARIN
    assert canonical_patient_id("19400512sf1a") == "19400512SF1A"


def test_canonical_patient_id_refuses_an_invalid_id() -> None:
    with pytest.raises(MedreconError) as err:
        canonical_patient_id("19400512-1235")
    assert err.value.message == "ogiltigt personnummer 19400512-1235 (kontrollsiffra)."
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("canonical", "shown"),
    [
        ("194005121234", "19400512-1234"),
        ("19330103SX3K", "19330103SX3K"),  # a reserve number has no dash to put back
        ("", ""),
    ],
)
def test_ids_are_shown_one_way_in_every_face(canonical: str, shown: str) -> None:
    assert display_patient_id(canonical) == shown
    frame = pl.DataFrame({"id": [canonical]})
    assert frame.select(display_patient_ids(pl.col("id"))).item() == shown

"""Property: a canonical frame written as an export and read again is unchanged."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from adapter_fixtures import pnr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from adapters import load_export, write_export
from adapters.cosmic import DOSING_TYPES
from medrecon.errors import MedreconError
from medrecon.schema import CANONICAL_SCHEMA

IDS = [pnr("19400512"), pnr("19310203", "456"), pnr("19270972", "381"), "19400512SF1A"]
ALPHABET = "abcåäöÅÄÖéxyzABCXYZ0123456789 ;,\"'-/.()%+\t\n"
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(ALPHABET, min_size=1, max_size=12).map(str.strip).filter(bool)
maybe_words = st.none() | words
dates = st.dates(date(1990, 1, 1), date(2035, 12, 31))
stamps = st.datetimes(datetime(2000, 1, 1), datetime(2030, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
) | st.datetimes(datetime(2000, 1, 1), datetime(2030, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
amounts = st.sampled_from([None, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 10.0])
atc = st.none() | st.from_regex(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}", fullmatch=True)


def common(draw: st.DrawFn, index: int) -> dict[str, object]:
    return {
        "patient_id": draw(st.sampled_from(IDS)),
        "patient_name": draw(maybe_words),
        "line_id": f"{index}-{draw(words)}",  # unique within the export
        "product_text": draw(words),
        "substance_text": draw(maybe_words),
        "strength_text": draw(maybe_words),
        "form_text": draw(maybe_words),
        "route_text": draw(maybe_words),
        "dosing_text": draw(maybe_words),
        "dispensing": draw(st.sampled_from([None, "dose", "package"])),
        "start_date": draw(st.none() | dates),
        "end_date": draw(st.none() | dates),
        "atc": draw(atc),
        "prescriber": draw(maybe_words),
        "purpose": draw(maybe_words),
        "last_changed": draw(st.none() | stamps),
    }


@st.composite
def cosmic_rows(draw: st.DrawFn, index: int) -> dict[str, object]:
    row = common(draw, index)
    dosing_type = draw(st.sampled_from([None, *DOSING_TYPES]))
    row.update(
        care_unit=draw(maybe_words),
        dose_morning=None,
        dose_noon=None,
        dose_evening=None,
        dose_night=None,
        dosing_type=dosing_type,
        as_needed=None if dosing_type is None else dosing_type == "Vid behov",
        valid_until=None,
        status=draw(st.sampled_from(["active", "ended", "paused"])),
        order_type=draw(st.sampled_from(["prescription", "ward_stock", "self_care"])),
        npl_id=None,
    )
    return row


@st.composite
def pascal_rows(draw: st.DrawFn, index: int) -> dict[str, object]:
    row = common(draw, index)
    doses = [draw(amounts) for _ in range(4)]
    if row["dosing_text"] is None and all(d is None for d in doses):
        row["dosing_text"] = "1 tablett till natten"
    row.update(
        care_unit=None,
        dose_morning=doses[0],
        dose_noon=doses[1],
        dose_evening=doses[2],
        dose_night=doses[3],
        dosing_type=None,
        as_needed=draw(st.none() | st.booleans()),
        valid_until=draw(st.none() | dates),
        status="ended" if row["end_date"] is not None else "active",
        order_type="prescription",
        npl_id=draw(st.none() | st.from_regex(r"[0-9]{14}", fullmatch=True)),
    )
    return row


@st.composite
def canonical_frames(draw: st.DrawFn, system: str) -> pl.DataFrame:
    size = draw(st.integers(0, 6))
    make = cosmic_rows if system == "cosmic" else pascal_rows
    rows = [draw(make(i)) for i in range(size)]
    for row in rows:
        row["source"] = system
    frame = pl.DataFrame(
        rows, schema={c: t for c, t in CANONICAL_SCHEMA.items() if c not in ("file", "line")}
    )
    return frame


def expected_csv_lines(frame: pl.DataFrame) -> list[int]:
    """Header is line 1; a value with a newline makes its record span more lines."""
    lines, current = [], 2
    for row in frame.iter_rows():
        lines.append(current)
        current += 1 + sum(v.count("\n") for v in row if isinstance(v, str))
    return lines


def roundtrip(frame: pl.DataFrame, system: str, name: str, **options: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        write_export(frame, system, path, **options)
        result = load_export(path, system=None)
    assert result.rejected.height == 0, result.rejected.rows()
    if name.endswith(".xlsx"):
        line_numbers = list(range(2, frame.height + 2))
    else:
        line_numbers = expected_csv_lines(frame)
    expected = frame.with_columns(
        file=pl.lit(name), line=pl.Series(line_numbers, dtype=pl.Int64)
    ).select(list(CANONICAL_SCHEMA))
    assert_frame_equal(result.lines, expected)


@pytest.mark.parametrize("system", ["cosmic", "pascal"])
@pytest.mark.parametrize(
    "options",
    [
        {"encoding": "utf-8", "separator": ";"},
        {"encoding": "utf-8-sig", "separator": ","},
        {"encoding": "cp1252", "separator": "\t"},
    ],
)
def test_csv_roundtrip(system: str, options: dict[str, str]) -> None:
    @SETTINGS
    @given(frame=canonical_frames(system))
    def check(frame: pl.DataFrame) -> None:
        roundtrip(frame, system, f"{system}.csv", **options)

    check()


@pytest.mark.parametrize("system", ["cosmic", "pascal"])
def test_xlsx_roundtrip(system: str) -> None:
    @SETTINGS
    @given(frame=canonical_frames(system))
    def check(frame: pl.DataFrame) -> None:
        roundtrip(frame, system, f"{system}.xlsx")

    check()


def test_writer_refuses_characters_the_encoding_lacks(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {"patient_id": [IDS[0]], "line_id": ["C-1"], "product_text": ["Läkemedel ✓"]}
    )
    with pytest.raises(MedreconError, match="cp1252"):
        write_export(frame, "cosmic", tmp_path / "c.csv", encoding="cp1252")
    assert not (tmp_path / "c.csv").exists()


def test_written_export_is_owner_only_and_text_stays_text(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "patient_id": [IDS[0]],
            "line_id": ["C-1"],
            "product_text": ["=1+1"],
            "dosing_text": ["1x1"],
        }
    )
    for name in ("c.csv", "c.xlsx"):
        path = write_export(frame, "cosmic", tmp_path / name)
        assert path.stat().st_mode & 0o777 == 0o600
        assert load_export(path).lines["product_text"].to_list() == ["=1+1"]

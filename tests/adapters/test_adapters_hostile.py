"""Hostile bytes in an export: never a crash, every non-blank line accounted for.

Random damage (quotes, separators, line breaks, control characters, stray bytes) is
applied to a small valid export. Whatever happens, loading either refuses the whole
file with ``UnusableInputError`` (a Swedish message) or loads it so that every
non-blank line after the header is a loaded line, a rejected row, or part of a
multi-line record.
"""

from __future__ import annotations

from pathlib import Path

from adapter_fixtures import COSMIC_HEADER, cosmic_row, csv_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import load_export
from medrecon.errors import UnusableInputError

BASE = csv_text(
    COSMIC_HEADER,
    [cosmic_row(OrdinationsID=f"C-{i}", Dosering=f"{i} tablett dagligen") for i in range(8)],
).encode("utf-8")
DAMAGE = st.sampled_from(
    [b'"', b";", b"\n", b"\r", b"\r\n", b"\x00", b"\x0c", b"\x1b", b'""', b"\xff", b" "]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(st.tuples(st.integers(0, len(BASE) - 1), DAMAGE), min_size=1, max_size=6))
def test_damaged_exports_never_crash_and_every_row_is_accounted(
    tmp_path: Path, edits: list[tuple[int, bytes]]
) -> None:
    data = bytearray(BASE)
    for at, damage in sorted(edits, reverse=True):
        header_end = data.index(b"\n")
        at = max(at, header_end + 1)  # keep the header intact
        data[at:at] = damage
    path = tmp_path / "cosmic.csv"
    path.write_bytes(bytes(data))
    try:
        result = load_export(path)
    except UnusableInputError as exc:
        assert exc.message.startswith(("Filen cosmic.csv", "Filen cosmic.csv"))
        return
    report = result.files[0]
    assert report.rows == report.lines_loaded + report.rows_rejected
    assert result.lines.height + result.rejected.height == report.rows
    text = bytes(data).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    non_blank = sum(1 for line in text.split(b"\n")[1:] if line.strip())
    # A quoted field over several lines makes one row of several lines; otherwise each
    # non-blank line is one row, loaded or rejected.
    assert report.rows <= non_blank
    assert report.rows == non_blank or b'"' in bytes(data)
    lines = set(result.lines["line"].to_list()) | set(result.rejected["line"].to_list())
    assert len(lines) == report.rows  # no line counted twice

"""``--as-of DATE``: the reference date of a run, shared by reconcile, batch and tui.

A line whose end date is on or before the reference date is judged ended. The default
is today; a fixed date makes a run reproducible (tests, a re-run of last night).
"""

from __future__ import annotations

import argparse
import datetime as dt


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"'{text}' är inget datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2026-11-30"
        ) from exc


def add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="DATUM",
        help=(
            "referensdatum ÅÅÅÅ-MM-DD (standard: i dag); en rad vars utsättningsdatum har "
            "passerats räknas som utsatt"
        ),
    )

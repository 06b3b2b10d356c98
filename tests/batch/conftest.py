"""Fixtures for the batch and report tests (helpers live in report_helpers.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from report_helpers import night_one

from medrecon.model import Reconciliation
from medrecon.report import RunFacts


@pytest.fixture
def recon_one() -> Reconciliation:
    return night_one()


@pytest.fixture
def facts() -> RunFacts:
    return RunFacts(
        run_at=dt.datetime(2025, 11, 23, 2, 0), run_id=1, input_names=("cosmic.csv", "pascal.csv")
    )

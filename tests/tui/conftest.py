"""Shared fixtures: the real store on a temporary SQLite file and an app on fixed data."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_fixtures import FROZEN_NOW, USER, reconciliation

from medrecon.model import Reconciliation
from medrecon.store import Store
from medrecon.tui.app import MedreconApp


@pytest.fixture(autouse=True)
def _stockholm_time() -> Iterator[None]:
    """Times shown in the UI are local: pin the zone so snapshots do not depend on it."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Stockholm"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data" / "medrecon.db") as opened:
        yield opened


@pytest.fixture
def make_app(store: Store, tmp_path: Path) -> Callable[..., MedreconApp]:
    def factory(
        recon: Reconciliation | None = None,
        loader: Callable[[Callable[[str], None]], Reconciliation] | None = None,
    ) -> MedreconApp:
        data = recon if recon is not None else reconciliation()
        return MedreconApp(
            loader or (lambda _progress: data),
            store,
            user=USER,
            handover_dir=tmp_path / "handover",
            cursor_blink=False,
            now=lambda: FROZEN_NOW,
        )

    return factory

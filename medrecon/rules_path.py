"""Locates the ``rules/`` data folder, in a checkout and in an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path


def rules_dir() -> Path:
    """Return the folder holding the clinical rule files.

    ``MEDRECON_RULES`` overrides it (a region testing a reviewed copy); a wheel carries
    the rules as ``medrecon/_rules``; an editable install reads the checkout's ``rules/``.
    """
    override = os.environ.get("MEDRECON_RULES")
    if override:
        return Path(override)
    packaged = Path(__file__).resolve().parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"

"""Clinical normalisation: what each canonical line means (substance, strength, form, dose).

Public API (imported lazily so that submodules such as the dosing parser can be imported
on their own):

- ``resolve_lines(lines, catalogue=None)`` adds ``RESOLVED_EXTRA_SCHEMA`` to canonical lines;
- ``load_catalogue(folder=None, local_files=None)`` / ``Catalogue``: the substance catalogue;
- ``parse_strength(text)``: a strength text as value(s) and unit;
- ``classify_form(text)``: a form text as a form class;
- ``read_product_text(text)``: how one product text is read (for ``medrecon explain``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medrecon.normalise.catalogue import Catalogue, load_catalogue
    from medrecon.normalise.forms import classify_form
    from medrecon.normalise.pipeline import read_product_text, resolve_lines
    from medrecon.normalise.strength import parse_strength

__all__ = [
    "Catalogue",
    "classify_form",
    "load_catalogue",
    "parse_strength",
    "read_product_text",
    "resolve_lines",
]

_HOME = {
    "Catalogue": "medrecon.normalise.catalogue",
    "load_catalogue": "medrecon.normalise.catalogue",
    "classify_form": "medrecon.normalise.forms",
    "parse_strength": "medrecon.normalise.strength",
    "resolve_lines": "medrecon.normalise.pipeline",
    "read_product_text": "medrecon.normalise.pipeline",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'medrecon.normalise' has no attribute {name!r}")

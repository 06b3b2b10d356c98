"""Swedish wording for the parts of ``argparse`` that users see.

argparse looks its fixed phrases up through ``gettext`` at call time, so installing a
small translation table makes ``--help`` and usage errors Swedish without a compiled
message catalogue. Phrases not in the table stay as argparse wrote them.
"""

from __future__ import annotations

import argparse

SWEDISH: dict[str, str] = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "show program's version number and exit": "visa versionen och avsluta",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ogiltigt val: %(value)r (välj bland %(choices)s)"
    ),
    "the following arguments are required: %s": "dessa argument behövs: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "expected one argument": "ett värde behövs",
    "expected at most one argument": "högst ett värde",
    "expected at least one argument": "minst ett värde behövs",
    "invalid %(type)s value: %(value)r": "ogiltigt värde (%(type)s): %(value)r",
    "not allowed with argument %s": "kan inte kombineras med %s",
    "one of the arguments %s is required": "ett av argumenten %s behövs",
    "ambiguous option: %(option)s could match %(matches)s": (
        "flaggan %(option)s är tvetydig: den kan betyda %(matches)s"
    ),
}


def _translate(message: str) -> str:
    return SWEDISH.get(message, message)


def use_swedish() -> None:
    """Route argparse's phrases through the Swedish table (idempotent)."""
    argparse._ = _translate  # type: ignore[attr-defined]

"""The one error type that reaches users.

Anything a user can cause (a bad file, a missing column, a store conflict) is raised as
a ``MedreconError`` whose ``message`` is Swedish text meant for a nurse, pharmacist or
the IT person running the nightly job. The CLI prints it and exits with ``exit_code``;
it never shows a traceback for these.
"""

from __future__ import annotations


class MedreconError(Exception):
    """An error caused by input or by the situation, explained in Swedish."""

    exit_code: int = 2

    def __init__(self, message: str, *, title: str = "Fel", exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title
        if exit_code is not None:
            self.exit_code = exit_code


class UnusableInputError(MedreconError):
    """A whole input file cannot be used (missing column, not a table, unreadable)."""


class StoreConflictError(MedreconError):
    """Somebody else changed the same decision first; nothing was overwritten."""

    exit_code = 3

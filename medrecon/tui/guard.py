"""Unexpected errors in a key handler must not end the app and lose the nurse's place.

Textual ends the whole app on an exception that escapes a handler (and, run from a
terminal multiplexer, the window closes with it, so the nurse sees nothing). Handlers and
dialog callbacks of the TUI are wrapped here so such an error is shown on the problems
screen instead; decisions already written are in the store, so nothing is lost. With
``MEDRECON_DEBUG=1`` the error is raised as before, for a developer's traceback.
"""

from __future__ import annotations

import functools
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def debugging() -> bool:
    return bool(os.environ.get("MEDRECON_DEBUG"))


def where(error: BaseException) -> str:
    """``patient.py:212 action_handover``: the innermost medrecon frame, without values.

    Only code locations, never the exception's message or locals: those may hold a name
    or a personnummer.
    """
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f"{os.sep}medrecon{os.sep}" in f.filename] or frames
    if not ours:
        return "okänd plats"
    frame = ours[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"


def internal_error_message(error: BaseException) -> str:
    return (
        f"Ett oväntat internt fel inträffade ({type(error).__name__}, {where(error)}). "
        "Alla beslut och signeringar som bekräftades innan felet är sparade i "
        "beslutsregistret. Tryck Esc för att gå tillbaka till arbetslistan och fortsätta. "
        "Meddela IT-supporten om felet kommer igen; kör då med MEDRECON_DEBUG=1 för detaljer."
    )


def _report(owner: Any, error: Exception) -> None:
    app = getattr(owner, "app", owner)
    show = getattr(app, "show_internal_error", None)
    if show is None or debugging():
        raise error
    show(error)


def guarded(method: F) -> F:
    """Decorate a handler method (``self`` is a widget, screen or the app)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as error:
            _report(self, error)
            return None

    return wrapper  # type: ignore[return-value]


def guard_callback(owner: Any, callback: Callable[[Any], None]) -> Callable[[Any], None]:
    """A dialog's result callback that reports instead of raising."""

    @functools.wraps(callback)
    def wrapper(result: Any) -> None:
        try:
            callback(result)
        except Exception as error:
            _report(owner, error)

    return wrapper

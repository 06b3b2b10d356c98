"""Typed messages the TUI's workers and screens post to each other."""

from __future__ import annotations

from textual.message import Message

from medrecon.tui.session import ReviewSession

Problem = tuple[str, str, str, str]  # (file, line, patient as shown or "okänd", reason)


class LoadProgress(Message):
    """A loading step started (shown in the status line and the progress bar)."""

    def __init__(self, step: int, total: int, text: str) -> None:
        super().__init__()
        self.step = step
        self.total = total
        self.text = text


class LoadFinished(Message):
    """The exports are reconciled and the store's states are read."""

    def __init__(self, session: ReviewSession, seconds: float) -> None:
        super().__init__()
        self.session = session
        self.seconds = seconds


class LoadFailed(Message):
    """The files could not be used at all; ``problems`` say which and why."""

    def __init__(
        self, title: str, message: str, problems: list[Problem], exit_code: int = 2
    ) -> None:
        super().__init__()
        self.title = title
        self.message = message
        self.problems = problems
        self.exit_code = exit_code  # the process's exit code once the user quits


class PatientChanged(Message):
    """A patient's decisions or sign-off changed: the worklist row must follow."""

    def __init__(self, patient_id: str) -> None:
        super().__init__()
        self.patient_id = patient_id

"""The Textual application: loads in a worker, then hands over to the screens."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.notifications import SeverityLevel

from medrecon.errors import MedreconError
from medrecon.model import Reconciliation
from medrecon.tui.guard import debugging, guarded, internal_error_message
from medrecon.tui.messages import LoadFailed, LoadFinished, LoadProgress, PatientChanged
from medrecon.tui.ports import DecisionStore
from medrecon.tui.screens.help import HelpScreen
from medrecon.tui.screens.problems import ProblemsScreen, rejected_problems
from medrecon.tui.screens.worklist import WorklistScreen
from medrecon.tui.session import ReviewSession

Loader = Callable[[Callable[[str], None]], Reconciliation]
LOAD_STEPS = 5


class MedreconApp(App[None]):
    """Worklist → patient view → dialogs; every store call goes through ReviewSession."""

    CSS_PATH = "styles.tcss"
    TITLE = "medrecon"
    SUB_TITLE = "Avstämning Cosmic – Pascal"
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Hjälp", tooltip="Visa alla kortkommandon", id="help"),
        Binding("ctrl+q", "quit", "Avsluta", tooltip="Stäng medrecon", id="quit", show=False),
    ]

    def __init__(
        self,
        loader: Loader,
        store: DecisionStore,
        *,
        user: str,
        inputs: list[Path] | None = None,
        handover_dir: Path,
        cursor_blink: bool = True,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__()
        self.loader = loader
        self.store = store
        self.user = user
        self.inputs = inputs or []
        self.handover_dir = handover_dir
        self.cursor_blink = cursor_blink
        self.now = now
        self.session: ReviewSession | None = None
        self.worklist = WorklistScreen()
        self.failure_exit_code = 0  # set when the input could not be used

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        # Messages carry names, file paths and store texts: never interpret them as markup.
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        self.push_screen(self.worklist)
        self.load()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> None:
        started = time.perf_counter()
        step = 0

        def progress(text: str) -> None:
            nonlocal step
            step += 1
            self.post_message(LoadProgress(min(step, LOAD_STEPS), LOAD_STEPS, text))

        try:
            progress("Läser exporterna och stämmer av listorna …")
            recon = self.loader(progress)
            session = ReviewSession(self.store, self.user, recon, list(self.inputs))
            session.prepare(progress)
        except MedreconError as exc:
            self.post_message(LoadFailed(exc.title, exc.message, [], exc.exit_code))
            return
        except Exception as exc:  # never a traceback on screen; no patient data in it
            self.post_message(
                LoadFailed(
                    "Internt fel",
                    f"Internt fel vid inläsningen ({type(exc).__name__}). "
                    "Kör med MEDRECON_DEBUG=1 för detaljer.",
                    [],
                    exit_code=1,
                )
            )
            if os.environ.get("MEDRECON_DEBUG"):
                raise
            return
        self.post_message(LoadFinished(session, time.perf_counter() - started))

    # --- unexpected errors ----------------------------------------------------------------
    async def _dispatch_action(self, namespace: DOMNode, action_name: str, params: Any) -> bool:
        # Every key binding's action runs through here (in the app's own message loop, which
        # an escaping exception would end, and the app with it).
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as error:
            if debugging():
                raise
            self.show_internal_error(error)
            return True

    def show_internal_error(self, error: BaseException) -> None:
        """Show an unexpected error on the problems screen; Esc leads back to the worklist."""
        if any(getattr(s, "internal_error", False) for s in self.screen_stack):
            return  # one error screen at a time; a second would only hide the first
        screen = ProblemsScreen("Internt fel", internal_error_message(error), [], fatal=False)
        screen.internal_error = True
        self.push_screen(screen, self._back_to_worklist)
        self.bell()

    def _back_to_worklist(self, _result: None = None) -> None:
        """Close every screen above the worklist; its rows follow the store again."""
        patients = []
        while len(self.screen_stack) > 1 and self.screen is not self.worklist:
            patients.append(getattr(self.screen, "patient_id", None))
            self.pop_screen()
        if self.session is not None:
            for patient_id in filter(None, patients):
                self.session.refresh_patient(patient_id)
                self.worklist.refresh_patient(patient_id)

    @guarded
    def on_load_progress(self, message: LoadProgress) -> None:
        self.worklist.show_progress(message.step, message.total, message.text)

    @guarded
    def on_load_finished(self, message: LoadFinished) -> None:
        self.session = message.session
        self.worklist.show_session(message.session, message.seconds)
        problems = rejected_problems(message.session.recon)
        if problems:
            self.notify(
                f"{len(problems)} rader kunde inte läsas. Tryck p för att se dem.",
                title="Ofullständig inläsning",
                severity="warning",
                timeout=8,
            )

    def on_load_failed(self, message: LoadFailed) -> None:
        self.failure_exit_code = message.exit_code
        self.worklist.show_failure(message.message)
        self.push_screen(ProblemsScreen(message.title, message.message, message.problems))

    async def action_quit(self) -> None:
        # After unusable input the process ends as the other commands do (exit 2), so that
        # a script or a desktop launcher can tell it from a normal close.
        self.exit(return_code=self.failure_exit_code)

    @guarded
    def on_patient_changed(self, message: PatientChanged) -> None:
        self.worklist.refresh_patient(message.patient_id)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

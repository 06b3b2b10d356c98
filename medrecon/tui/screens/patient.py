"""One patient: Cosmic and Pascal side by side, the detail pane, and every decision key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from medrecon.errors import MedreconError, StoreConflictError
from medrecon.handover import SignOff, handover_text, write_handover
from medrecon.ids import display_patient_id
from medrecon.labels import ACTION_LABEL
from medrecon.tui.guard import guard_callback, guarded
from medrecon.tui.messages import PatientChanged
from medrecon.tui.patient_model import SECTION_AGREE
from medrecon.tui.screens.comment import CommentDialog
from medrecon.tui.screens.confirm import AcknowledgeDialog, ConfirmDialog
from medrecon.tui.screens.decision import DecisionDialog, DecisionResult
from medrecon.tui.session import (
    PatientData,
    ReviewSession,
    format_time,
    incomplete_reasons,
    record_value,
)
from medrecon.tui.widgets.detail import DetailPane
from medrecon.tui.widgets.line_cell import ACTION_KEYS, ACTION_SHORT
from medrecon.tui.widgets.side_by_side import SideBySide

if TYPE_CHECKING:
    from medrecon.tui.app import MedreconApp


class PatientScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Tillbaka", tooltip="Till arbetslistan", id="back"),
        Binding("d", "decide_dialog", "Beslut", tooltip="Beslutsdialog med kommentar", id="decide"),
        *[
            Binding(
                key,
                f"decide('{code}')",
                ACTION_SHORT[code],
                show=False,
                tooltip=ACTION_LABEL[code],
                id=f"decide-{key}",
            )
            for key, code in ACTION_KEYS.items()
        ],
        # Not in the footer (it must fit 80 columns with "? Hjälp"): listed in the help, and
        # the decision dialog (d) takes a comment too.
        Binding(
            "c", "comment", "Kommentar", show=False, tooltip="Kommentar till beslutet", id="comment"
        ),
        Binding("u", "undo", "Ångra", tooltip="Ångra ditt senaste beslut", id="undo"),
        Binding(
            "a", "approve", "Godkänn lika", tooltip="Godkänn alla som överensstämmer", id="approve"
        ),
        Binding("s", "sign_off", "Signera", tooltip="Signera patienten som avstämd", id="sign-off"),
        Binding(
            "h", "handover", "Rapport", tooltip="Skriv överrapportering till fil", id="handover"
        ),
        Binding("right_square_bracket", "step(1)", "Nästa", show=False, id="next-patient"),
        Binding("left_square_bracket", "step(-1)", "Föreg.", show=False, id="prev-patient"),
    ]

    def __init__(self, session: ReviewSession, patient_id: str, order: list[str]) -> None:
        super().__init__()
        self.session = session
        self.patient_id = patient_id
        self.order = order or [patient_id]
        self.data: PatientData = session.open_patient(patient_id)

    @property
    def medrecon(self) -> MedreconApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="patient-info")
        yield SideBySide(id="lines")
        yield DetailPane(id="detail")
        yield Footer()

    @guarded
    def on_mount(self) -> None:
        self._redraw(first=True)

    @guarded
    def on_resize(self, event: events.Resize) -> None:
        if self.is_mounted:
            self._redraw()

    # --- rendering -------------------------------------------------------------------------
    def _findings(self) -> dict[str, dict[str, Any]]:
        return {row["id"]: row for row in self.data.findings.iter_rows(named=True)}

    def _redraw(self, first: bool = False) -> None:
        patient = self.data.patient
        findings = self._findings()
        info = Text()
        info.append(str(patient.get("patient_name") or ""), style="bold")
        info.append(f"  {display_patient_id(self.patient_id)}  ·  ")
        info.append(str(patient.get("status_text") or ""), style="bold")
        info.append(f"  ·  {len(self.data.open_ids)} öppna av {len(findings)}")
        info.append(f"\n{patient.get('care_unit') or 'Enhet okänd'}", style="dim")
        if self.patient_id in self.order:
            position = self.order.index(self.patient_id) + 1
            info.append(f"  ·  patient {position} av {len(self.order)}", style="dim")
        for note in patient.get("elderly_notes") or []:
            info.append(f"\n⚑ {note}", style="magenta")
        for reason in incomplete_reasons(patient):
            info.append(f"\n⚠ {reason}", style="yellow")
        if patient.get("review_status") == "sign_off_lapsed":
            info.append("\n⚠ Signeringen gäller inte längre: ett beslut har ändrats efter den. "
                        "Signera patienten igen (s).", style="bold yellow")  # fmt: skip
        self.query_one("#patient-info", Static).update(info)
        table = self.query_one(SideBySide)
        width = table.size.width or self.size.width
        table.show(self.data.rows, findings, approved=self.data.approved, width=width)
        if first:
            index = table.first_open_index(findings)
            if index is None:
                index = 1 if len(self.data.rows) > 1 else 0
            table.move_cursor(row=index, animate=False)
            table.focus()
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.query_one(SideBySide).current
        finding = self.data.finding(row.finding_id) if row and row.finding_id else None
        history = self.session.history(finding) if finding else []
        self.query_one(DetailPane).show(row, finding, history)

    @guarded
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    @guarded
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_decide_dialog()

    def _reload(self) -> None:
        was_signed = self.data.patient.get("review_status") == "signed_off"
        self.data = self.session.patient(self.patient_id)
        self._redraw()
        self.post_message(PatientChanged(self.patient_id))
        if was_signed and self.data.patient.get("review_status") == "sign_off_lapsed":
            self.notify(
                "Ett beslut har ändrats efter signeringen, så den gäller inte längre. "
                "Patienten måste signeras igen.",
                title="Signera om",
                severity="warning",
                timeout=10,
            )

    def _current_finding(self) -> dict[str, Any] | None:
        row = self.query_one(SideBySide).current
        if row is None or row.finding_id is None:
            self.notify(
                "Den här raden har ingen avvikelse att besluta om.", title="Ingen avvikelse"
            )
            return None
        return self.data.finding(row.finding_id)

    def _conflict(self, exc: MedreconError) -> None:
        if isinstance(exc, StoreConflictError):
            self.notify(exc.message, title="Ändrat av någon annan", severity="warning", timeout=10)
        else:
            self.notify(exc.message, title=exc.title, severity="error", timeout=10)
        self._reload()

    # --- decisions -------------------------------------------------------------------------
    def action_decide(self, action: str, comment: str = "") -> None:
        finding = self._current_finding()
        if finding is None:
            return
        try:
            self.session.decide(self.data, finding["id"], action, comment)
        except MedreconError as exc:
            self._conflict(exc)
            return
        self.notify(f"{ACTION_LABEL[action]}", title="Beslut sparat")
        self._reload()
        table = self.query_one(SideBySide)
        following = table.first_open_index(self._findings(), table.cursor_row + 1)
        if following is not None:
            table.move_cursor(row=following, animate=False)

    def action_decide_dialog(self, comment: str = "") -> None:
        finding = self._current_finding()
        if finding is None:
            return

        def done(result: DecisionResult | None) -> None:
            if result is not None:
                self.action_decide(result[0], result[1])

        self.app.push_screen(DecisionDialog(finding, comment=comment), guard_callback(self, done))

    def action_comment(self) -> None:
        finding = self._current_finding()
        if finding is None:
            return
        if finding.get("status") != "decided":
            self.notify("Välj ett beslut; kommentaren sparas med det.", title="Inget beslut ännu")
            self.action_decide_dialog()
            return

        def done(text: str | None) -> None:
            if text is not None:
                self.action_decide(str(finding["action"]), text)

        title = f"Kommentar till: {finding.get('action_label') or finding.get('action')}"
        self.app.push_screen(
            CommentDialog(title, finding.get("comment") or ""), guard_callback(self, done)
        )

    def action_undo(self) -> None:
        if not self.session.can_undo(self.patient_id):
            self.notify("Du har inget beslut att ångra för den här patienten.", title="Ångra")
            return
        try:
            self.session.undo(self.patient_id)
        except MedreconError as exc:
            self._conflict(exc)
            return
        self.notify("Ditt senaste beslut är ångrat.", title="Ångrat")
        self._reload()

    def action_approve(self) -> None:
        n_lines = self.session.approve_agreeing(self.data)
        if not n_lines:
            self.notify("Det finns inga rader som överensstämmer.", title="Godkänn lika")
            return
        # Count what the nurse sees (one table row per Cosmic/Pascal pair), lines in brackets.
        n_rows = sum(1 for r in self.data.rows if r.section == SECTION_AGREE and not r.header)
        self.notify(f"{n_rows} par ({n_lines} rader) som överensstämmer är markerade som "
                    "granskade.", title="Godkänt")  # fmt: skip
        self._reload()

    def action_sign_off(self) -> None:
        n_open = len(self.data.open_ids)
        if n_open:
            self.notify(
                f"{n_open} avvikelse{'r' if n_open > 1 else ''} saknar beslut. "
                "Besluta om alla innan du signerar.",
                title="Kan inte signera ännu",
                severity="warning",
            )
            return
        name = self.data.patient.get("patient_name") or display_patient_id(self.patient_id)
        reasons = incomplete_reasons(self.data.patient)

        def sign(acknowledged: bool) -> None:
            try:
                self.session.sign_off(self.data, acknowledged=acknowledged)
            except MedreconError as exc:
                self._conflict(exc)
                return
            self.notify(f"{name} är avstämd och signerad av {self.session.user}.",
                        title="Signerad")  # fmt: skip
            self._reload()

        def confirmed(answer: bool | None) -> None:
            if not answer:
                return
            if not reasons:
                sign(acknowledged=False)
                return
            # A second, separate confirmation: the list may lack rows the nurse never saw.
            self.app.push_screen(
                AcknowledgeDialog(
                    "Listan kan sakna rader",
                    "Patienten är ofullständigt inläst:\n"
                    + "\n".join(f"• {r}" for r in reasons)
                    + "\n\nBekräfta att du har kontrollerat raderna i källsystemet. "
                    "Bekräftelsen sparas med signeringen.",
                    yes="Kontrollerat – signera",
                ),
                guard_callback(self, lambda ok: sign(acknowledged=True) if ok else None),
            )

        self.app.push_screen(
            ConfirmDialog(
                "Signera avstämningen?",
                f"Du intygar att listorna för {name} är genomgångna och att varje "
                f"avvikelse har ett beslut. Signeras som {self.session.user}.",
                yes="Signera",
            ),
            guard_callback(self, confirmed),
        )

    def action_handover(self) -> None:
        history = {
            str(f["id"]): self.session.history(f) for f in self.data.findings.iter_rows(named=True)
        }
        sign = self.session.last_sign_off(self.patient_id)
        text = handover_text(
            patient=self.data.patient,
            groups=self.data.groups,
            history=history,
            sign_off=None
            if sign is None
            else SignOff(
                str(record_value(sign, "actor", "signed_by") or ""),
                format_time(record_value(sign, "signed_at")),
                valid=self.data.patient.get("review_status") == "signed_off",
            ),
            user=self.session.user,
            now=self.medrecon.now(),
        )
        try:
            path = write_handover(self.medrecon.handover_dir, text,
                                  self.medrecon.now())  # fmt: skip
        except OSError as exc:
            self.notify(f"Kunde inte skriva filen: {exc.strerror}", title="Överrapportering",
                        severity="error")  # fmt: skip
            return
        self.notify(str(path), title="Överrapportering sparad", timeout=12)

    # --- navigation -------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss(None)

    def action_step(self, delta: int) -> None:
        if self.patient_id not in self.order:
            return
        index = self.order.index(self.patient_id) + delta
        if not 0 <= index < len(self.order):
            self.notify("Inga fler patienter i listan.", title="Slut på listan")
            return
        self.patient_id = self.order[index]
        self.data = self.session.open_patient(self.patient_id)
        table = self.query_one(SideBySide)
        table.clear()
        self._redraw(first=True)

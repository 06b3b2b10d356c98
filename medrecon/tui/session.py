"""One nurse's review session: the loaded reconciliation plus every store call the TUI makes.

Textual-free, so the flows (decide, undo, sign off, approve agreeing lines) can be tested
without a terminal and the screens stay thin. The store is the truth: after every write
the affected patient's states are read back from it, never patched locally.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from medrecon.errors import MedreconError, StoreConflictError
from medrecon.labels import ACTION_LABEL
from medrecon.model import Reconciliation
from medrecon.schema import CONTENT_COLUMNS
from medrecon.tui import patient_model as pm
from medrecon.tui import worklist_model as wm
from medrecon.tui.ports import DecisionStore

APPROVE_PREFIX = "godkände rader som överensstämmer"
ACKNOWLEDGEMENT = (
    "Signerad trots ofullständig inläsning: raderna som inte kunde läsas är kontrollerade "
    "i källsystemet."
)
APPROVED_HASH_KEY = "agreeing_hash"  # audit details key: what the approval covered


def record_value(record: Any, *names: str) -> Any:
    """First present attribute of a store record (keeps the TUI tolerant of field names)."""
    for name in names:
        value = getattr(record, name, None)
        if value is not None:
            return value
    return None


def format_time(value: Any) -> str:
    """A store time (ISO 8601 UTC text or datetime) as local time to the minute."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone()
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")


def describe_record(record: Any) -> str:
    """One Swedish line for a decision in the history list."""
    action = record_value(record, "action")
    when = format_time(record_value(record, "decided_at", "at"))
    who = record_value(record, "actor", "decided_by", "user") or "okänd"
    if record_value(record, "is_withdrawal") or action == "withdrawn":
        text = f"{when} {who}: återtog beslutet"
    else:
        text = f"{when} {who}: {ACTION_LABEL.get(action or '', action or '')}"
    comment = record_value(record, "comment")
    if comment:
        text += f" – ”{comment}”"
    return text


def audit_what(entry: Any) -> str:
    """The free text of an access entry ("öppnade patientens listor", ...)."""
    details = record_value(entry, "details")
    if isinstance(details, dict):
        return str(details.get("what") or "")
    return str(record_value(entry, "what") or "")


@dataclass
class PatientData:
    """Everything the patient view shows, for one patient."""

    patient: dict[str, Any]
    lines: pl.DataFrame
    findings: pl.DataFrame  # with the store's state columns joined on id
    groups: list[pm.Group]
    rows: list[pm.Row]
    approved: bool = False

    def finding(self, finding_id: str) -> dict[str, Any] | None:
        hit = self.findings.filter(pl.col("id") == finding_id)
        return hit.row(0, named=True) if hit.height else None

    @property
    def open_ids(self) -> list[str]:
        return self.findings.filter(pl.col("status") != "decided").get_column("id").to_list()


@dataclass
class ReviewSession:
    store: DecisionStore
    user: str
    recon: Reconciliation
    inputs: list[Path] = field(default_factory=list)
    states: pl.DataFrame = field(default_factory=pl.DataFrame)
    worklist: pl.DataFrame = field(default_factory=pl.DataFrame)
    # per patient, this user's decisions in order: (finding id, decision id, the decision
    # id it superseded), so undo can bring back what stood before
    _undo: dict[str, list[tuple[str, Any, Any]]] = field(default_factory=dict)

    # --- loading -------------------------------------------------------------------------
    def prepare(self, progress: Callable[[str], None] = lambda _t: None) -> None:
        """Record the run and read every finding's state in bulk (runs in a worker)."""
        progress("Registrerar körningen i beslutsregistret …")
        self.store.record_run(self.recon, self.inputs, user=self.user, kind="tui")
        progress("Läser tidigare beslut …")
        self.states = self.store.finding_states(self.recon.findings)
        statuses = self.store.patient_statuses(self.recon.findings)
        progress("Bygger arbetslistan …")
        self.worklist = wm.build_worklist(
            self.recon.patients, self.recon.findings, self.states, statuses
        )

    # --- one patient -----------------------------------------------------------------------
    def patient_ids(self) -> list[str]:
        return self.worklist.get_column("patient_id").to_list()

    def open_patient(self, patient_id: str) -> PatientData:
        """The patient's data as the store has it now (a colleague may have decided, or
        made a sign-off lapse, since the worklist was loaded); writes the access entry to
        the audit log first."""
        self.store.log_access(patient_id, user=self.user)
        self.refresh_patient(patient_id)
        return self.patient(patient_id)

    def patient(self, patient_id: str) -> PatientData:
        pid = pl.col("patient_id") == patient_id
        lines = self.recon.lines.filter(pid)
        matches = self.recon.matches.filter(pid)
        findings = self.recon.findings.filter(pid)
        states = self.states.filter(pl.col("id").is_in(findings.get_column("id").implode()))
        findings = findings.join(states, on="id", how="left").with_columns(
            pl.col("status").fill_null("open")
        )
        groups = pm.build_groups(lines, matches, findings)
        rows = pm.build_rows(groups)
        patient_rows = self.worklist.filter(pid)
        patient = patient_rows.row(0, named=True) if patient_rows.height else {}
        return PatientData(
            patient=patient,
            lines=lines,
            findings=findings,
            groups=groups,
            rows=rows,
            approved=self._approved(patient_id, agreeing_hash(lines, groups)),
        )

    def _approved(self, patient_id: str, current_hash: str | None) -> bool:
        """Whether the agreeing lines as they are now were approved (same ids and content)."""
        if current_hash is None:
            return False
        for entry in self.store.audit_entries(patient_id):
            details = record_value(entry, "details")
            if (
                isinstance(details, dict)
                and audit_what(entry).startswith(APPROVE_PREFIX)
                and details.get(APPROVED_HASH_KEY) == current_hash
            ):
                return True
        return False

    def _finding_frame(self, patient_id: str) -> pl.DataFrame:
        return self.recon.findings.filter(pl.col("patient_id") == patient_id)

    def refresh_patient(self, patient_id: str) -> None:
        """Re-read the patient's finding states and status from the store."""
        findings = self._finding_frame(patient_id)
        ids = findings.get_column("id")
        fresh = self.store.finding_states(findings)
        self.states = pl.concat(
            [self.states.filter(~pl.col("id").is_in(ids.implode())), fresh],
            how="diagonal_relaxed",
        )
        status = self.store.patient_status(patient_id, ids.to_list())
        open_sev = (
            findings.join(fresh.select("id", "status"), on="id", how="left")
            .filter(pl.col("status").fill_null("open") == "open")
            .get_column("severity")
            .to_list()
        )
        counts = {f"n_{s}": open_sev.count(s) for s in ("high", "medium", "low")}
        self.worklist = wm.update_patient(self.worklist, patient_id, counts, status)

    # --- writes ------------------------------------------------------------------------------
    def decide(self, data: PatientData, finding_id: str, action: str, comment: str = "") -> Any:
        """Record a decision on a finding; StoreConflictError when it changed meanwhile."""
        finding = data.finding(finding_id)
        if finding is None:
            raise MedreconError("Avvikelsen finns inte längre i listan.")
        patient_id = finding["patient_id"]
        try:
            record = self.store.decide(
                finding_id,
                patient_id,
                action,
                comment=comment,
                user=self.user,
                expected_decision_id=finding.get("decision_id"),
                lineage=finding.get("lineage"),
            )
        finally:
            self.refresh_patient(patient_id)
        decision_id = record_value(record, "decision_id", "id")
        superseded = record_value(record, "supersedes")
        self._undo.setdefault(patient_id, []).append((finding_id, decision_id, superseded))
        return record

    def can_undo(self, patient_id: str) -> bool:
        return bool(self._undo.get(patient_id))

    def undo(self, patient_id: str) -> str | None:
        """Undo this user's last decision on the patient; the finding id, or None.

        What the undone decision replaced comes back (action and comment); when it replaced
        nothing, or a withdrawal, the finding is withdrawn (open again). StoreConflictError
        when someone else changed the finding since; this user's undo steps for that
        finding are then dropped, so later undos of other findings still work.
        """
        stack = self._undo.get(patient_id)
        if not stack:
            return None
        finding_id, decision_id, superseded_id = stack.pop()
        previous = self._decision(finding_id, superseded_id)
        try:
            if previous is None or record_value(previous, "is_withdrawal"):
                self.store.withdraw(
                    finding_id, patient_id, user=self.user, expected_decision_id=decision_id
                )
            else:
                restored = self.store.decide(
                    finding_id,
                    patient_id,
                    record_value(previous, "action"),
                    comment=record_value(previous, "comment") or "",
                    user=self.user,
                    expected_decision_id=decision_id,
                    lineage=record_value(previous, "lineage"),
                )
                # the restored decision is the one an earlier undo step must now expect
                new_id = record_value(restored, "decision_id", "id")
                stack[:] = [
                    (f, new_id if f == finding_id and d == superseded_id else d, s)
                    for f, d, s in stack
                ]
        except StoreConflictError:
            stack[:] = [entry for entry in stack if entry[0] != finding_id]
            raise
        finally:
            self.refresh_patient(patient_id)
        return finding_id

    def _decision(self, finding_id: str, decision_id: Any) -> Any | None:
        """The decision row ``decision_id`` of the finding's history, or None."""
        if decision_id is None:
            return None
        for record in self.store.history(finding_id):
            if record_value(record, "decision_id", "id") == decision_id:
                return record
        return None

    def approve_agreeing(self, data: PatientData) -> int:
        """Note in the audit log that the agreeing lines were looked at and accepted.

        The entry carries a hash of the agreeing lines' ids and content: the approval
        holds only while the lists still show exactly those lines (see ``_approved``).
        """
        ids = pm.agreeing_line_ids(data.groups)
        current = agreeing_hash(data.lines, data.groups)
        if ids and current is not None:
            self._log_approval(
                data.patient["patient_id"], f"{APPROVE_PREFIX} ({len(ids)} st)", current
            )
        return len(ids)

    def _log_approval(self, patient_id: str, what: str, approved_hash: str) -> None:
        self.store.log_access(
            patient_id, user=self.user, what=what, details={APPROVED_HASH_KEY: approved_hash}
        )

    def sign_off(self, data: PatientData, *, acknowledged: bool = False) -> Any:
        """Sign the patient off. A patient whose list may lack rows (some could not be
        loaded) needs ``acknowledged``: what was confirmed is stored with the sign-off."""
        patient_id = data.patient["patient_id"]
        finding_ids = data.findings.get_column("id").to_list()
        reasons = incomplete_reasons(data.patient)
        if reasons and not acknowledged:
            raise MedreconError(
                "Patienten är ofullständigt inläst: bekräfta att raderna som inte kunde "
                "läsas är kontrollerade innan du signerar.",
                title="Bekräftelse krävs",
            )
        acknowledgement = (
            f"{ACKNOWLEDGEMENT} " + " ".join(reasons) if reasons and acknowledged else None
        )
        try:
            return self.store.sign_off(
                patient_id,
                finding_ids,
                lists_hash(data.lines),
                user=self.user,
                acknowledgement=acknowledgement,
            )
        finally:
            self.refresh_patient(patient_id)

    def last_sign_off(self, patient_id: str) -> Any | None:
        """The patient's newest sign-off record (signed_by, signed_at), or None."""
        return self.store.sign_offs(patient_id)

    def history(self, finding: dict[str, Any]) -> list[str]:
        """The decision history of a finding and of earlier versions of it (lineage)."""
        records = list(self.store.history(finding["id"]))
        lineage = finding.get("lineage")
        if lineage:
            seen = {id(r) for r in records}
            own = {record_value(r, "decision_id", "id") for r in records}
            for record in self.store.lineage_history(lineage):
                if id(record) not in seen and record_value(record, "decision_id", "id") not in own:
                    records.append(record)
        return [describe_record(r) for r in records]


def incomplete_reasons(patient: dict[str, Any]) -> list[str]:
    """Why the patient's list may lack rows (empty when it was loaded completely)."""
    reasons = [str(r) for r in patient.get("incomplete_reasons") or []]
    if not reasons and patient.get("incomplete"):
        reasons = ["Några av patientens rader kunde inte läsas."]
    return reasons


def agreeing_hash(lines: pl.DataFrame, groups: list[pm.Group]) -> str | None:
    """``lists_hash`` of the agreeing lines only; None when no line agrees."""
    ids = pm.agreeing_line_ids(groups)
    if not ids:
        return None
    key = pl.concat_str(pl.col("source"), pl.lit(":"), pl.col("line_id"))
    return lists_hash(lines.filter(key.is_in(pl.Series(ids, dtype=pl.String).implode())))


def lists_hash(lines: pl.DataFrame) -> str:
    """SHA-256 over the content of both lists of one patient, independent of row order."""
    cols = [c for c in ("source", "line_id", *CONTENT_COLUMNS) if c in lines.columns]
    text = lines.select(pl.col(cols).cast(pl.String)).sort(cols, nulls_last=True).write_csv()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

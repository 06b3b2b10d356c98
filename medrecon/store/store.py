"""``Store``: the one object the TUI, the batch and the CLI use (docs/store-api.md)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Any

import polars as pl
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from medrecon.errors import MedreconError, StoreConflictError
from medrecon.model import Reconciliation
from medrecon.store import audit, db, decisions, runs, signoff, states
from medrecon.store.paths import default_db_path
from medrecon.store.records import (
    WITHDRAWN,
    AuditEntry,
    AuditVerification,
    DecisionRecord,
    RunSummary,
    SignOffRecord,
    current_user,
    now_iso,
)
from medrecon.store.tables import findings

log = logging.getLogger("medrecon.store")


class Store:
    """Decisions, runs, sign-offs and the audit log in one database."""

    def __init__(self, engine: Engine, path: Path | None) -> None:
        self.engine = engine
        self.path = path  # None for a server database given by URL

    # --- opening and closing -----------------------------------------------------------
    @classmethod
    def open(
        cls, path: Path | str | None = None, *, url: str | None = None, create: bool = True
    ) -> Store:
        """Open (create and migrate when needed) the store at ``path`` or ``url``.

        ``create=False`` refuses a missing file (commands that only read, like
        ``audit verify``, must not report on a fresh empty store by mistake).
        """
        if url is not None:
            store = cls(db.make_engine(url), None)
        else:
            file = Path(path).expanduser() if path is not None else default_db_path()
            if file.is_dir():
                raise MedreconError(f"{file} är en mapp; ange en databasfil.")
            if not create and not file.exists():
                raise MedreconError(f"Beslutsdatabasen {file} finns inte.")
            try:
                db.prepare_private_file(file)
            except OSError as exc:
                raise MedreconError(
                    f"Beslutsdatabasen {file} kan inte skapas: {exc.strerror}."
                ) from None
            store = cls(db.make_engine(f"sqlite:///{file}"), file)
        try:
            if store.engine.dialect.name == "sqlite":
                db.enable_wal(store.engine)
            db.migrate(store.engine)
        except (DBAPIError, sqlite3.Error) as exc:
            store.close()
            reason = getattr(exc, "orig", None) or exc
            raise MedreconError(
                f"Beslutsdatabasen {store.path or ''} kan inte öppnas ({reason})."
            ) from None
        except BaseException:
            store.close()
            raise
        if store.path is not None:
            db.prepare_private_file(store.path)  # -wal/-shm now exist: check them too
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- runs ----------------------------------------------------------------------------
    def record_run(
        self,
        recon: Reconciliation,
        inputs: list[Path],
        user: str | None = None,
        kind: str = "batch",
    ) -> RunSummary:
        # Hash files before taking the write lock; files the run read keep the hash of
        # the bytes it read.
        described = runs.describe_inputs(inputs, known=recon.files)
        with db.write_transaction(self.engine) as conn:
            summary = runs.record_run(
                conn, recon, described, user=current_user(user), kind=kind, at=now_iso()
            )
            head = audit.head(conn)
        if head is not None:
            # An anchor outside the database: cutting off the newest entries shows here.
            log.info(
                "Granskningslogg efter körning %d: post %d, hash %s",
                summary.run_id,
                head[0],
                audit.format_hash(head[1]),
            )
        return summary

    def runs(self, limit: int = 30) -> pl.DataFrame:
        with db.read_transaction(self.engine) as conn:
            return runs.recent_runs(conn, limit)

    def finding_states(self, findings: pl.DataFrame) -> pl.DataFrame:
        with db.read_transaction(self.engine) as conn:
            return states.finding_states(conn, findings)

    # --- decisions -----------------------------------------------------------------------
    def decide(
        self,
        finding_id: str,
        patient_id: str,
        action: str,
        comment: str = "",
        user: str | None = None,
        expected_decision_id: int | None = None,
        lineage: str | None = None,
    ) -> DecisionRecord:
        return self._write_decision(
            finding_id, patient_id, action, comment, user, expected_decision_id, lineage
        )

    def withdraw(
        self,
        finding_id: str,
        patient_id: str,
        user: str | None = None,
        expected_decision_id: int | None = None,
        comment: str = "",
    ) -> DecisionRecord:
        return self._write_decision(
            finding_id, patient_id, WITHDRAWN, comment, user, expected_decision_id, None
        )

    def _write_decision(
        self,
        finding_id: str,
        patient_id: str,
        action: str,
        comment: str,
        user: str | None,
        expected_decision_id: int | None,
        lineage: str | None,
    ) -> DecisionRecord:
        try:
            with db.write_transaction(self.engine) as conn:
                return decisions.write_decision(
                    conn,
                    finding_id=finding_id,
                    patient_id=patient_id,
                    action=action,
                    comment=comment,
                    user=current_user(user),
                    at=now_iso(),
                    expected_decision_id=expected_decision_id,
                    lineage=lineage,
                )
        except IntegrityError:
            # Only reachable on a server database, where two writers can both pass the
            # check; the unique (finding, version) key lets exactly one of them commit.
            with db.read_transaction(self.engine) as conn:
                current = decisions.current_rows(conn, [finding_id]).get(finding_id)
            raise StoreConflictError(
                decisions.conflict_message(current, expected_decision_id), title="Konflikt"
            ) from None

    def finding_patient(self, finding_id: str) -> str | None:
        """The patient a finding recorded by some run belongs to; None if never seen."""
        with db.read_transaction(self.engine) as conn:
            return conn.execute(
                select(findings.c.patient_id).where(findings.c.id == finding_id)
            ).scalar()

    def history(self, finding_id: str) -> list[DecisionRecord]:
        with db.read_transaction(self.engine) as conn:
            return decisions.history(conn, finding_id)

    def lineage_history(self, lineage: str) -> list[DecisionRecord]:
        with db.read_transaction(self.engine) as conn:
            return decisions.lineage_history(conn, lineage)

    # --- sign-off ------------------------------------------------------------------------
    def sign_off(
        self, patient_id: str, finding_ids: list[str], lists_hash: str, user: str | None = None
    ) -> SignOffRecord:
        with db.write_transaction(self.engine) as conn:
            return signoff.sign_off(
                conn,
                patient_id=patient_id,
                finding_ids=finding_ids,
                lists_hash=lists_hash,
                user=current_user(user),
                at=now_iso(),
            )

    def patient_status(self, patient_id: str, finding_ids: list[str]) -> str:
        frame = pl.DataFrame(
            {"patient_id": [patient_id] * len(finding_ids), "id": list(finding_ids)},
            schema={"patient_id": pl.String(), "id": pl.String()},
        )
        statuses = self.patient_statuses(frame, patient_ids=[patient_id])
        return str(statuses.filter(pl.col("patient_id") == patient_id).item(0, "status"))

    def patient_statuses(
        self, findings: pl.DataFrame, patient_ids: list[str] | None = None
    ) -> pl.DataFrame:
        with db.read_transaction(self.engine) as conn:
            return signoff.patient_statuses(conn, findings, patient_ids or ())

    def sign_offs(self, patient_id: str) -> SignOffRecord | None:
        """The newest sign-off of a patient, if any (whether or not it has lapsed)."""
        with db.read_transaction(self.engine) as conn:
            return signoff.latest_sign_offs(conn, [patient_id]).get(patient_id)

    # --- audit ---------------------------------------------------------------------------
    def log_access(
        self,
        patient_id: str,
        user: str | None = None,
        what: str = "öppnade patientens listor",
        details: dict[str, Any] | None = None,
    ) -> int:
        """Record that ``user`` looked at (or acted on) a patient's lists; ``details``
        are stored with the entry (e.g. a hash of what was approved)."""
        with db.write_transaction(self.engine) as conn:
            seq = audit.append(
                conn,
                at=now_iso(),
                user=current_user(user),
                action="access",
                patient_id=patient_id,
                details={"what": what, **(details or {})},
            )
        log.info("Åtkomst loggad (post %d)", seq)
        return seq

    def audit_entries(self, patient_id: str | None = None) -> list[AuditEntry]:
        with db.read_transaction(self.engine) as conn:
            return audit.entries(conn, patient_id)

    def verify_audit(self) -> AuditVerification:
        with db.read_transaction(self.engine) as conn:
            return audit.verify(conn)

    def integrity_check(self) -> str:
        """SQLite's own check of the file ("ok" when sound)."""
        with self.engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())

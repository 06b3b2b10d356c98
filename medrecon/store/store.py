"""``Store``: the one object the TUI, the batch and the CLI use (docs/store-api.md)."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from medrecon.errors import MedreconError, StoreConflictError
from medrecon.model import Reconciliation
from medrecon.store import audit, db, decisions, runs, signing, signoff, states, verify
from medrecon.store.anchor import advance_anchor, read_anchor
from medrecon.store.audit import AuditTrail
from medrecon.store.location import StoreLocation, resolve_location
from medrecon.store.records import (
    WITHDRAWN,
    Actor,
    AuditEntry,
    AuditVerification,
    DecisionRecord,
    RunSummary,
    SignOffRecord,
    current_user,
    now_iso,
)
from medrecon.store.signing import AuditKey
from medrecon.store.tables import findings

log = logging.getLogger("medrecon.store")
T = TypeVar("T")


class Store:
    """Decisions, runs, sign-offs and the audit log in one database."""

    def __init__(self, engine: Engine, location: StoreLocation) -> None:
        self.engine = engine
        self.location = location
        self._key: AuditKey | None = None  # loaded (or created) at the first write

    @property
    def path(self) -> Path | None:
        """The SQLite file; None for a server database given by URL."""
        return self.location.path

    # --- opening and closing -----------------------------------------------------------
    @classmethod
    def open(cls, where: StoreLocation | Path | str | None = None, *, create: bool = True) -> Store:
        """Open (create and migrate when needed) the store at ``where`` (a file path, a
        URL, or None for the configured default).

        ``create=False`` refuses a missing file or an empty server database (commands
        that only read, like ``audit verify``, must not report on a new empty store).
        """
        location = resolve_location(where)
        file = location.path
        if file is not None:
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
        store = cls(db.make_engine(location.url), location)
        try:
            with store._server_errors():
                if file is not None:
                    db.enable_wal(store.engine)
                elif not create and not db.has_schema(store.engine):
                    raise MedreconError(
                        f"Beslutsdatabasen {location.display} är tom: ingen körning eller inget "
                        "beslut har sparats där ännu."
                    )
                db.migrate(store.engine)
        except sqlite3.Error as exc:
            store.close()
            raise MedreconError(
                f"Beslutsdatabasen {location.display} kan inte öppnas ({exc})."
            ) from None
        except BaseException:
            store.close()
            raise
        if file is not None:
            db.prepare_private_file(file)  # -wal/-shm now exist: check them too
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

    @contextlib.contextmanager
    def _server_errors(self) -> Iterator[None]:
        """Database errors as Swedish messages, never with the password in them."""
        try:
            yield
        except StoreConflictError:
            raise
        except OperationalError as exc:
            reason = self.location.scrub(str(exc.orig).strip().splitlines()[0])
            if self.location.path is None:
                raise MedreconError(
                    f"Databasservern för {self.location.display} kan inte nås eller avbröt "
                    f"förbindelsen ({reason}). Det som inte hann sparas är inte sparat; "
                    "försök igen. Lösenord läses från adressen, PGPASSFILE (~/.pgpass) "
                    "eller PGPASSWORD.",
                    title="Databasservern",
                ) from None
            raise MedreconError(
                f"Beslutsdatabasen {self.location.display} kan inte öppnas ({reason})."
            ) from None
        except DBAPIError as exc:
            reason = self.location.scrub(str(exc.orig).strip().splitlines()[0])
            if "append-only" in reason:
                raise  # a bug or tampering: an internal error, not a user's mistake
            raise MedreconError(
                f"Beslutsdatabasen {self.location.display} svarade med ett fel ({reason}).",
                exit_code=1,
            ) from None

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Connection]:
        """One read snapshot; a lost server is a Swedish message, not a traceback."""
        with self._server_errors(), db.read_transaction(self.engine) as conn:
            yield conn

    # --- writing ---------------------------------------------------------------------------
    def audit_key(self) -> AuditKey:
        """The key that signs this store's audit log; created on the store's first write."""
        if self._key is None:
            path = signing.key_path(self.location)
            key = signing.read_key(path)
            if key is None:
                with self._reading() as conn:
                    key_id, _ = signing.store_key_id(conn)
                if key_id is not None:
                    raise MedreconError(signing.missing_key_message(path), title="Nyckel saknas")
                key = signing.create_key(path)
                log.info("Ny granskningsnyckel skapad: %s", path)
            self._key = key
        return self._key

    def _write(self, work: Callable[[AuditTrail], T]) -> T:
        """``work`` in one write transaction with a signed audit trail; after the commit
        the new head is recorded outside the database."""
        with self._server_errors():
            key = self.audit_key()
            with db.write_transaction(self.engine) as conn:
                trail = AuditTrail(conn, key)
                result = work(trail)
        if trail.head is not None:
            advance_anchor(self.location, *trail.head)
        return result

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
        trails: list[AuditTrail] = []

        def work(trail: AuditTrail) -> RunSummary:
            trails.append(trail)
            return runs.record_run(
                trail, recon, described, user=current_user(user), kind=kind, at=now_iso()
            )

        summary = self._write(work)
        head = trails[0].head
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
        with self._reading() as conn:
            return runs.recent_runs(conn, limit)

    def finding_states(self, findings: pl.DataFrame) -> pl.DataFrame:
        with self._reading() as conn:
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
        *,
        imported: bool = False,
    ) -> DecisionRecord:
        """``imported``: a script records the decision on ``user``'s behalf (shown as
        "USER (importerat av OS-KONTO)")."""
        actor = Actor.current(user, imported=imported)
        return self._write_decision(
            finding_id, patient_id, action, comment, actor, expected_decision_id, lineage
        )

    def withdraw(
        self,
        finding_id: str,
        patient_id: str,
        user: str | None = None,
        expected_decision_id: int | None = None,
        comment: str = "",
        *,
        imported: bool = False,
    ) -> DecisionRecord:
        actor = Actor.current(user, imported=imported)
        return self._write_decision(
            finding_id, patient_id, WITHDRAWN, comment, actor, expected_decision_id, None
        )

    def _write_decision(
        self,
        finding_id: str,
        patient_id: str,
        action: str,
        comment: str,
        actor: Actor,
        expected_decision_id: int | None,
        lineage: str | None,
    ) -> DecisionRecord:
        try:
            return self._write(
                lambda trail: decisions.write_decision(
                    trail,
                    finding_id=finding_id,
                    patient_id=patient_id,
                    action=action,
                    comment=comment,
                    actor=actor,
                    at=now_iso(),
                    expected_decision_id=expected_decision_id,
                    lineage=lineage,
                )
            )
        except IntegrityError as exc:
            # Writers are serialised, so this is a second line of defence: the unique
            # (finding, version) key lets only one of two writers commit. Any other
            # integrity error is a real fault and must not pass for a conflict.
            if "uq_decisions_finding_version" not in str(exc.orig):
                raise
            with self._reading() as conn:
                current = decisions.current_rows(conn, [finding_id]).get(finding_id)
            raise StoreConflictError(
                decisions.conflict_message(current, expected_decision_id), title="Konflikt"
            ) from None

    def finding_patient(self, finding_id: str) -> str | None:
        """The patient a finding recorded by some run belongs to; None if never seen."""
        with self._reading() as conn:
            return conn.execute(
                select(findings.c.patient_id).where(findings.c.id == finding_id)
            ).scalar()

    def history(self, finding_id: str) -> list[DecisionRecord]:
        with self._reading() as conn:
            return decisions.history(conn, finding_id)

    def lineage_history(self, lineage: str) -> list[DecisionRecord]:
        with self._reading() as conn:
            return decisions.lineage_history(conn, lineage)

    # --- sign-off ------------------------------------------------------------------------
    def sign_off(
        self,
        patient_id: str,
        finding_ids: list[str],
        lists_hash: str,
        user: str | None = None,
        *,
        acknowledgement: str | None = None,
    ) -> SignOffRecord:
        """``acknowledgement``: what the signer confirmed about rows of the patient that
        could not be loaded (recorded with the sign-off and in the audit log)."""
        actor = Actor.current(user)
        return self._write(
            lambda trail: signoff.sign_off(
                trail,
                patient_id=patient_id,
                finding_ids=finding_ids,
                lists_hash=lists_hash,
                actor=actor,
                at=now_iso(),
                acknowledgement=acknowledgement,
            )
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
        with self._reading() as conn:
            return signoff.patient_statuses(conn, findings, patient_ids or ())

    def sign_offs(self, patient_id: str) -> SignOffRecord | None:
        """The newest sign-off of a patient, if any (whether or not it has lapsed)."""
        with self._reading() as conn:
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
        seq = self._write(
            lambda trail: trail.append(
                at=now_iso(),
                user=current_user(user),
                action="access",
                patient_id=patient_id,
                details={"what": what, **(details or {})},
            )
        )
        log.info("Åtkomst loggad (post %d)", seq)
        return seq

    def audit_entries(self, patient_id: str | None = None) -> list[AuditEntry]:
        with self._reading() as conn:
            return audit.entries(conn, patient_id)

    def verify_audit(self) -> AuditVerification:
        """Every check of ``medrecon.store.verify``; a sound, signed chain moves this
        user's record of the newest entry forward."""
        key_file = signing.key_path(self.location)
        key = signing.read_key(key_file)
        with self._reading() as conn:
            result = verify.verify(conn, key, key_file, read_anchor(self.location))
        if result.ok and result.unverifiable is None and key is not None and result.head_hash:
            advance_anchor(self.location, result.entries, result.head_hash)
        return result

    def integrity_check(self) -> str:
        """SQLite's own check of the file ("ok" when sound)."""
        with self.engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())

"""Plain records the store hands out (immutable, no database handles inside)."""

from __future__ import annotations

import getpass
import os
import pwd
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from medrecon.labels import ACTION_LABEL

WITHDRAWN = "withdrawn"
WITHDRAWN_LABEL = "Beslutet återtaget"
ACTIONS: tuple[str, ...] = tuple(ACTION_LABEL)


def inserted_id(result: Any) -> int:
    """The primary key of the row an INSERT just created."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table has a primary key
        raise RuntimeError("no primary key returned")
    return int(key[0])


def now_iso() -> str:
    """The current time, UTC, ISO 8601 with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def os_account() -> str:
    """The OS account running medrecon (from the process, not from $USER, which anyone
    can set); "okänd användare" where there is no passwd entry (some containers)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "okänd användare"


def current_user(user: str | None) -> str:
    """``user`` when given, else the OS user."""
    return user or os_account()


@dataclass(frozen=True)
class Actor:
    """Who stands behind a decision or sign-off.

    ``name`` is who it is shown as (the ``--user`` given, else the OS account);
    ``os_user`` is the account that actually wrote it, always recorded. ``imported``
    marks a decision a script recorded on ``name``'s behalf (``decide --user``): it is
    shown as "NAME (importerat av OS_USER)", never as NAME alone.
    """

    name: str
    os_user: str
    hsa_id: str | None = None
    role: str | None = None
    imported: bool = False

    @classmethod
    def current(cls, user: str | None = None, *, imported: bool = False) -> Actor:
        from medrecon.settings import load_settings  # settings read per write: cheap

        settings = load_settings()
        account = os_account()
        return cls(
            name=user or account,
            os_user=account,
            hsa_id=settings.hsa_id,
            role=settings.role,
            imported=imported and bool(user) and user != account,
        )


def actor_text(
    name: str | None,
    os_user: str | None = None,
    role: str | None = None,
    imported: bool | None = False,
) -> str:
    """How a person is shown beside a decision or sign-off."""
    text = name or "okänd"
    if role:
        text += f", {role}"
    if imported:
        text += f" (importerat av {os_user or 'okänt konto'})"
    return text


def local_time_text(iso: str | None) -> str:
    """ISO UTC time as the reader's local time, minutes precision (for Swedish messages)."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def action_label(action: str | None) -> str | None:
    if action is None:
        return None
    if action == WITHDRAWN:
        return WITHDRAWN_LABEL
    return ACTION_LABEL.get(action, action)


@dataclass(frozen=True)
class DecisionRecord:
    """One row of a finding's decision history (a withdrawal is a row too)."""

    id: int
    finding_id: str
    patient_id: str
    lineage: str | None
    version: int  # 1 for the finding's first decision row, then 2, 3, ...
    supersedes: int | None  # the decision row this one replaced
    action: str  # an ACTIONS code or "withdrawn"
    comment: str
    decided_by: str
    decided_at: str  # ISO 8601 UTC
    os_user: str | None = None  # None on rows from before migration 0002
    hsa_id: str | None = None
    role: str | None = None
    imported: bool | None = None

    @property
    def is_withdrawal(self) -> bool:
        return self.action == WITHDRAWN

    @property
    def actor(self) -> str:
        return actor_text(self.decided_by, self.os_user, self.role, self.imported)

    @property
    def action_label(self) -> str:
        return action_label(self.action) or self.action


@dataclass(frozen=True)
class SignOffRecord:
    id: int
    patient_id: str
    signed_by: str
    signed_at: str  # ISO 8601 UTC
    lists_hash: str
    finding_ids: tuple[str, ...]  # sorted
    decision_ids: tuple[int, ...] | None = None  # in force at signing; None before 0002
    os_user: str | None = None
    hsa_id: str | None = None
    role: str | None = None
    acknowledgement: str | None = None  # what the signer confirmed about unread rows

    @property
    def actor(self) -> str:
        return actor_text(self.signed_by, self.os_user, self.role)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str  # ISO 8601 UTC
    user: str
    action: str  # decision | withdrawal | sign_off | access | run
    patient_id: str | None
    finding_id: str | None
    details: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int  # entries checked
    first_bad: int | None  # seq of the first entry that is altered or missing
    message: str  # Swedish, for the user: the verdict in one sentence
    head_hash: str | None = None  # hash of the last entry
    problems: tuple[str, ...] = ()  # every finding, Swedish, each naming its row
    notes: tuple[str, ...] = ()  # what could not be checked and why (not tampering)
    unverifiable: str | None = None  # the signatures could not be checked (e.g. no key)


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    started_at: str
    new_ids: set[str] = field(default_factory=set)  # first time seen (includes reopened)
    gone_ids: set[str] = field(default_factory=set)
    carried_ids: set[str] = field(default_factory=set)  # present and decided
    reopened_ids: set[str] = field(default_factory=set)  # new id, lineage had a decision
    n_patients: int = 0
    n_findings: int = 0
    n_open: int = 0
    n_decided: int = 0

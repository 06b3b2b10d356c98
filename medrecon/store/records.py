"""Plain records the store hands out (immutable, no database handles inside)."""

from __future__ import annotations

import getpass
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


def current_user(user: str | None) -> str:
    """``user`` when given, else the OS user."""
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no USER variable (containers)
        return "okänd användare"


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

    @property
    def is_withdrawal(self) -> bool:
        return self.action == WITHDRAWN

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
    message: str  # Swedish, for the user
    head_hash: str | None = None  # hash of the last entry (note it down to detect truncation)


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

"""The part of ``medrecon.store.Store`` the TUI uses (docs/store-api.md), as a Protocol.

The TUI is written against this so it type-checks on its own; ``medrecon.store.Store``
satisfies it structurally.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import polars as pl

from medrecon.model import Reconciliation


class DecisionStore(Protocol):
    def record_run(
        self,
        recon: Reconciliation,
        inputs: list[Path],
        user: str | None = None,
        kind: str = "batch",
    ) -> Any: ...

    def finding_states(self, findings: pl.DataFrame) -> pl.DataFrame: ...

    def patient_statuses(self, findings: pl.DataFrame) -> pl.DataFrame: ...

    def patient_status(self, patient_id: str, finding_ids: list[str]) -> str: ...

    def decide(
        self,
        finding_id: str,
        patient_id: str,
        action: str,
        comment: str = "",
        user: str | None = None,
        expected_decision_id: Any = None,
        lineage: str | None = None,
    ) -> Any: ...

    def withdraw(
        self,
        finding_id: str,
        patient_id: str,
        user: str | None = None,
        expected_decision_id: Any = None,
    ) -> Any: ...

    def history(self, finding_id: str) -> list[Any]: ...

    def lineage_history(self, lineage: str) -> list[Any]: ...

    def sign_off(
        self,
        patient_id: str,
        finding_ids: list[str],
        lists_hash: str,
        user: str | None = None,
        *,
        acknowledgement: str | None = None,
    ) -> Any: ...

    def sign_offs(self, patient_id: str) -> Any | None: ...

    def log_access(
        self,
        patient_id: str,
        user: str | None = None,
        what: str = "öppnade patientens listor",
        details: dict[str, Any] | None = None,
    ) -> Any: ...

    def audit_entries(self, patient_id: str | None = None) -> list[Any]: ...

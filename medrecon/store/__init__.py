"""The decision store: decisions per finding, runs, sign-off and the audit log.

Public API (docs/store-api.md): ``Store``, ``default_db_path``, ``ACTIONS`` and the
record types. SQLite by default; every SQL statement lives in this package.
"""

from medrecon.store.paths import add_db_argument, default_db_path, resolve_db_path
from medrecon.store.records import (
    ACTIONS,
    WITHDRAWN,
    AuditEntry,
    AuditVerification,
    DecisionRecord,
    RunSummary,
    SignOffRecord,
)
from medrecon.store.store import Store

__all__ = [
    "ACTIONS",
    "WITHDRAWN",
    "AuditEntry",
    "AuditVerification",
    "DecisionRecord",
    "RunSummary",
    "SignOffRecord",
    "Store",
    "add_db_argument",
    "default_db_path",
    "resolve_db_path",
]

"""The decision store: decisions per finding, runs, sign-off and the audit log.

Public API (docs/store-api.md): ``Store``, ``StoreLocation``, ``ACTIONS`` and the record
types. SQLite by default, PostgreSQL by URL; every SQL statement lives in this package.
"""

from medrecon.store.location import (
    StoreLocation,
    add_db_argument,
    default_location,
    resolve_location,
)
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
    "StoreLocation",
    "add_db_argument",
    "default_location",
    "resolve_location",
]

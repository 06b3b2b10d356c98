"""The reconciliation engine: pairs two systems' lines and judges every difference.

Free of any user interface (``import medrecon.engine`` never imports textual); the
CLI, the TUI and the batch are thin faces on ``reconcile``.
"""

from __future__ import annotations

from medrecon.engine.clinical_rules import Rules
from medrecon.engine.core import reconcile, reconcile_files
from medrecon.engine.fingerprint import content_text, lineage_text, sha16, with_fingerprints

__all__ = [
    "Rules",
    "content_text",
    "lineage_text",
    "reconcile",
    "reconcile_files",
    "sha16",
    "with_fingerprints",
]

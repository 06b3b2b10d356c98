"""``medrecon audit verify`` and ``medrecon audit show``: the tamper-evident audit log."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from medrecon.ids import canonical_patient_id
from medrecon.store import AuditEntry, Store, add_db_argument, resolve_db_path
from medrecon.store.audit import AUDIT_ACTION_LABEL, format_hash
from medrecon.store.records import action_label, local_time_text


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="granskningsloggen: kontrollera kedjan eller visa poster",
        description="Granskningsloggen över beslut, avstämningar och åtkomst till patienter.",
    )
    actions = parser.add_subparsers(dest="audit_command", metavar="ÅTGÄRD", required=True)
    verify = actions.add_parser(
        "verify",
        help="kontrollera att ingen post har ändrats eller tagits bort",
        description="Räknar om hashkedjan. Slutkod 0 när kedjan är hel, 1 när den är bruten.",
    )
    add_db_argument(verify)
    verify.set_defaults(func=run_verify)
    show = actions.add_parser(
        "show", help="visa loggens poster", description="Visar granskningsloggen som en tabell."
    )
    show.add_argument("--patient", metavar="PERSONNUMMER", help="bara poster om denna patient")
    add_db_argument(show)
    show.set_defaults(func=run_show)


def run_verify(args: argparse.Namespace) -> int:
    with Store.open(resolve_db_path(args.db), create=False) as store:
        result = store.verify_audit()
    if result.ok:
        print(result.message)
        if result.head_hash:
            print(f"Senaste post: {result.entries}, hash {format_hash(result.head_hash)}")
        return 0
    print(f"medrecon: {result.message}", file=sys.stderr)
    return 1


def _summary(entry: AuditEntry) -> str:
    d: dict[str, Any] = entry.details
    if entry.action == "decision":
        text = f"nr {d.get('decision_id')}: {action_label(d.get('action'))}"
        return f"{text} – {d['comment']}" if d.get("comment") else text
    if entry.action == "withdrawal":
        return f"nr {d.get('decision_id')} återtog nr {d.get('supersedes')}"
    if entry.action == "sign_off":
        return f"{len(d.get('finding_ids', []))} skillnader, alla med beslut"
    if entry.action == "access":
        return str(d.get("what", ""))
    if entry.action == "run":
        return (
            f"körning {d.get('run_id')} ({d.get('kind')}): {d.get('n_findings')} fynd, "
            f"{d.get('n_new')} nya, {d.get('n_gone')} borta"
        )
    return ", ".join(f"{k}={v}" for k, v in sorted(d.items()))


def format_table(entries: list[AuditEntry]) -> str:
    header = ("Nr", "Tid", "Användare", "Händelse", "Patient", "Fynd", "Detaljer")
    rows = [
        (
            str(e.seq),
            local_time_text(e.at),
            e.user,
            AUDIT_ACTION_LABEL.get(e.action, e.action),
            e.patient_id or "",
            e.finding_id or "",
            _summary(e),
        )
        for e in entries
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if row is header:
            lines.append("  ".join("-" * w for w in [*widths, len(header[-1])]))
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:
    patient = canonical_patient_id(args.patient) if args.patient else None
    with Store.open(resolve_db_path(args.db), create=False) as store:
        entries = store.audit_entries(patient)
    if not entries:
        print("Granskningsloggen har inga poster" + (" för patienten." if patient else "."))
        return 0
    print(format_table(entries))
    return 0

"""``medrecon audit verify`` and ``medrecon audit show``: the tamper-evident audit log."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from medrecon.ids import canonical_patient_id
from medrecon.store import AuditEntry, Store, add_db_argument
from medrecon.store.audit import AUDIT_ACTION_LABEL, format_hash
from medrecon.store.records import action_label, actor_text, local_time_text

EXIT_SOUND = 0
EXIT_TAMPERED = 5
EXIT_CODES_TEXT = (
    "Slutkod 0 när allt är oförändrat, 5 när något har ändrats, lagts till eller tagits bort "
    "utanför medrecon (varje fel namnges), 2 när kontrollen inte kan göras (t.ex. nyckeln "
    "saknas), 1 vid internt fel."
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="granskningsloggen: kontrollera kedjan eller visa poster",
        description="Granskningsloggen över beslut, avstämningar och åtkomst till patienter.",
    )
    actions = parser.add_subparsers(dest="audit_command", metavar="ÅTGÄRD", required=True)
    verify = actions.add_parser(
        "verify",
        help="kontrollera att inget beslut, ingen avstämning och ingen post har ändrats",
        description=(
            "Räknar om hashkedjan, kontrollerar signaturerna med granskningsnyckeln, att "
            "varje beslut och varje avstämning stämmer med sin post, att de senaste posterna "
            "finns kvar och databasens egen kontroll. " + EXIT_CODES_TEXT
        ),
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
    with Store.open(args.db, create=False) as store:
        result = store.verify_audit()
    for note in result.notes:
        print(f"Obs: {note}")
    if not result.ok:
        print(f"medrecon: {result.message}", file=sys.stderr)
        for problem in result.problems:
            print(f"- {problem}", file=sys.stderr)
        return EXIT_TAMPERED
    if result.unverifiable:
        print(f"medrecon: {result.unverifiable}", file=sys.stderr)
        return 2
    print(result.message)
    if result.head_hash:
        print(f"Senaste post: {result.entries}, hash {format_hash(result.head_hash)}")
    return EXIT_SOUND


def _summary(entry: AuditEntry) -> str:
    d: dict[str, Any] = entry.details
    if entry.action == "decision":
        text = f"nr {d.get('decision_id')}: {action_label(d.get('action'))}"
        return f"{text} – {d['comment']}" if d.get("comment") else text
    if entry.action == "withdrawal":
        return f"nr {d.get('decision_id')} återtog nr {d.get('supersedes')}"
    if entry.action == "sign_off":
        text = f"{len(d.get('finding_ids', []))} skillnader, alla med beslut"
        if d.get("acknowledgement"):
            text += "; bekräftat trots ofullständig inläsning"
        return text
    if entry.action == "access":
        return str(d.get("what", ""))
    if entry.action == "run":
        return (
            f"körning {d.get('run_id')} ({d.get('kind')}): {d.get('n_findings')} fynd, "
            f"{d.get('n_new')} nya, {d.get('n_gone')} borta"
        )
    return ", ".join(f"{k}={v}" for k, v in sorted(d.items()))


def _who(entry: AuditEntry) -> str:
    """The person, with the OS account that wrote an imported decision and any HSA-id."""
    d = entry.details
    text = actor_text(entry.user, d.get("os_user"), d.get("role"), d.get("imported"))
    if d.get("os_user") and d["os_user"] != entry.user and not d.get("imported"):
        text += f" [konto {d['os_user']}]"  # given as --user in the TUI
    return f"{text} [HSA {d['hsa_id']}]" if d.get("hsa_id") else text


def format_table(entries: list[AuditEntry]) -> str:
    header = ("Nr", "Tid", "Användare", "Händelse", "Patient", "Fynd", "Detaljer")
    rows = [
        (
            str(e.seq),
            local_time_text(e.at),
            _who(e),
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
    with Store.open(args.db, create=False) as store:
        entries = store.audit_entries(patient)
    if not entries:
        print("Granskningsloggen har inga poster" + (" för patienten." if patient else "."))
        return 0
    print(format_table(entries))
    return 0

"""``medrecon decide``: record or withdraw a decision on one finding (scripts and tests)."""

from __future__ import annotations

import argparse
import re

from medrecon.errors import MedreconError, StoreConflictError
from medrecon.ids import canonical_patient_id
from medrecon.store import ACTIONS, Store, add_db_argument
from medrecon.store.records import action_label


def _expected(text: str) -> int | None:
    if text.strip().lower() in {"none", "inget", ""}:
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ska vara ett beslutsnummer eller none, inte {text!r}"
        ) from None


_FINDING_ID = re.compile(r"[0-9a-f]{16}")


def _finding_id(text: str) -> str:
    value = text.strip().lower()
    if not _FINDING_ID.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"ett fynd-id är 16 tecken 0-9 och a-f (se medrecon reconcile --format json), "
            f"inte {text!r}"
        )
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "decide",
        help="spara eller återta ett beslut om en skillnad",
        description=(
            "Sparar ett beslut om en skillnad (fynd-id) i beslutsdatabasen. Finns redan ett "
            "beslut måste dess nummer anges med --expect, så att ingens beslut skrivs över "
            "av misstag."
        ),
    )
    parser.add_argument(
        "finding_id", type=_finding_id, metavar="FYND_ID", help="skillnadens id (16 tecken)"
    )
    parser.add_argument(
        "--patient", required=True, metavar="PERSONNUMMER", help="patienten som fyndet gäller"
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--action", choices=ACTIONS, metavar="ÅTGÄRD", help=", ".join(ACTIONS))
    what.add_argument("--withdraw", action="store_true", help="återta det gällande beslutet")
    parser.add_argument("--comment", default="", metavar="TEXT", help="kommentar till beslutet")
    parser.add_argument(
        "--user",
        default=None,
        metavar="NAMN",
        help=(
            "personen som tog beslutet, när ett skript lägger in det åt någon annan; sparas "
            "som importerat av dig (inloggad användare) för NAMN"
        ),
    )
    parser.add_argument(
        "--expect",
        type=_expected,
        default=None,
        metavar="NR",
        help="numret på det beslut du utgår från (utelämnat: inget beslut finns)",
    )
    add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    patient = canonical_patient_id(args.patient)
    with Store.open(args.db, create=False) as store:
        _check_known(store, args.finding_id, patient)
        try:
            return _write(store, args, patient)
        except StoreConflictError as exc:
            history = store.history(args.finding_id)
            current = history[-1].id if history else None
            hint = (
                f" Gällande beslut är nr {current}: ange --expect {current} om du vill ändra det."
                if current is not None
                else " Fyndet har inget gällande beslut: utelämna --expect."
            )
            raise StoreConflictError(exc.message + hint, title=exc.title) from None


def _check_known(store: Store, finding_id: str, patient: str) -> None:
    """Refuse ids no run has produced: a typo must not become a decision in the audit log."""
    owner = store.finding_patient(finding_id)
    if owner is None:
        raise MedreconError(
            f"Fyndet {finding_id} finns inte i beslutsdatabasen. Kontrollera id:t "
            "(medrecon reconcile --format json) och att samma databas (--db) används som "
            "vid nattkörningen eller i terminalgränssnittet."
        )
    if owner != patient:
        raise MedreconError("Fyndet hör till en annan patient; beslutet sparades inte.")


def _write(store: Store, args: argparse.Namespace, patient: str) -> int:
    if args.withdraw:
        if args.expect is None:
            raise MedreconError(
                "Ange numret på beslutet som ska återtas med --expect NR (se medrecon audit show)."
            )
        record = store.withdraw(
            args.finding_id,
            patient,
            user=args.user,
            expected_decision_id=args.expect,
            comment=args.comment,
            imported=args.user is not None,
        )
        print(f"Beslut nr {args.expect} återtaget (nr {record.id}) för fynd {args.finding_id}.")
        return 0
    record = store.decide(
        args.finding_id,
        patient,
        args.action,
        comment=args.comment,
        user=args.user,
        expected_decision_id=args.expect,
        imported=args.user is not None,
    )
    print(
        f"Beslut nr {record.id} sparat för fynd {args.finding_id}: {action_label(record.action)} "
        f"({record.actor})."
    )
    return 0

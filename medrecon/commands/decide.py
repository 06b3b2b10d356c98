"""``medrecon decide``: record or withdraw a decision on one finding (scripts and tests)."""

from __future__ import annotations

import argparse

from medrecon.errors import MedreconError
from medrecon.ids import canonical_patient_id
from medrecon.store import ACTIONS, Store, add_db_argument, resolve_db_path
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
    parser.add_argument("finding_id", metavar="FYND_ID", help="skillnadens id (16 tecken)")
    parser.add_argument("--patient", required=True, metavar="PERSONNUMMER")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--action", choices=ACTIONS, metavar="ÅTGÄRD", help=", ".join(ACTIONS))
    what.add_argument("--withdraw", action="store_true", help="återta det gällande beslutet")
    parser.add_argument("--comment", default="", metavar="TEXT")
    parser.add_argument("--user", default=None, metavar="NAMN", help="annars inloggad användare")
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
    with Store.open(resolve_db_path(args.db)) as store:
        if args.withdraw:
            if args.expect is None:
                raise MedreconError(
                    "Ange numret på beslutet som ska återtas med --expect NR "
                    "(se medrecon audit show)."
                )
            record = store.withdraw(
                args.finding_id,
                patient,
                user=args.user,
                expected_decision_id=args.expect,
                comment=args.comment,
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
        )
    print(
        f"Beslut nr {record.id} sparat för fynd {args.finding_id}: {action_label(record.action)}."
    )
    return 0

"""``audit verify``: is every decision, sign-off and audit entry as it was written?

Checked in one read snapshot, each problem reported with the row it concerns:

1. the chain: entries numbered 1, 2, 3 ... without a gap, each hash recomputed;
2. the signatures: from the first signed entry on, each entry's HMAC with the audit key
   (a re-hashed or inserted entry cannot carry one without the key);
3. the newest entry this user wrote or verified (``medrecon.store.anchor``) is still
   there with the same hash (otherwise the newest entries were cut off or rewritten);
4. every decision and sign-off row equals what its audit entry recorded, and has one
   (so an edited, inserted or deleted decision or sign-off is named);
5. the append-only triggers are in place and enabled;
6. the backend's own integrity check, where it has one (SQLite: ``PRAGMA
   integrity_check``; PostgreSQL: ``amcheck`` when that extension is installed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from medrecon.store import decisions as decision_rows
from medrecon.store import signoff as signoff_rows
from medrecon.store.anchor import Anchor
from medrecon.store.audit import GENESIS_HASH, entry_hash
from medrecon.store.records import AuditVerification
from medrecon.store.signing import AuditKey, missing_key_message, store_key_id
from medrecon.store.tables import APPEND_ONLY_TABLES, audit_log, decisions, signoffs

_ABSENT = object()
# Columns that existed before migration 0002 but were not recorded in the audit entries
# then; for older entries they are not compared. Every other column an older entry does
# not name must still be empty in its row.
_DECISION_COLUMNS_BEFORE_0002 = frozenset({"version", "lineage"})
# Swedish names of the columns, for "... stämmer inte med post N: åtgärden har ändrats".
_COLUMN_LABEL = {
    "action": "åtgärden", "comment": "kommentaren", "decided_by": "vem som beslutade",
    "decided_at": "tiden", "patient_id": "patienten", "finding_id": "fyndet",
    "supersedes": "vilket beslut det ersatte", "version": "versionen", "lineage": "släktledet",
    "os_user": "kontot", "hsa_id": "HSA-id", "role": "rollen", "imported": "importmarkeringen",
    "signed_by": "vem som signerade", "signed_at": "tiden", "lists_hash": "kontrollsumman",
    "finding_ids": "skillnaderna", "decision_ids": "besluten",
    "acknowledgement": "bekräftelsen",
}  # fmt: skip
_APPEND_ONLY_EVENTS = {
    "sqlite": ("update", "delete"),
    "postgresql": ("update", "delete", "truncate"),
}


@dataclass
class _Recorded:
    """What the audit log says about one decision or sign-off row."""

    seq: int
    entry: dict[str, Any]
    details: dict[str, Any]


@dataclass
class _Findings:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    first_bad: int | None = None

    def bad(self, message: str, seq: int | None = None) -> None:
        self.problems.append(message)
        if seq is not None and (self.first_bad is None or seq < self.first_bad):
            self.first_bad = seq


@dataclass
class _Chain:
    entries: int = 0
    last_seq: int = 0
    last_hash: str | None = None
    hash_at_anchor: str | None = None
    decisions: dict[int, _Recorded] = field(default_factory=dict)
    signoffs: dict[int, _Recorded] = field(default_factory=dict)


def _rows(conn: Connection, query: Any) -> Iterator[dict[str, Any]]:
    for row in conn.execution_options(yield_per=2000).execute(query).mappings():
        yield dict(row)


def _check_chain(
    conn: Connection, key: AuditKey | None, anchor: Anchor | None, found: _Findings
) -> _Chain:
    chain = _Chain()
    key_id, keyed_from = store_key_id(conn)
    check_macs = key_id is not None and key is not None and key.key_id == key_id
    if key_id is not None and key is not None and key.key_id != key_id:
        found.bad(
            f"Granskningsloggen är signerad med en annan nyckel än {key.path}: antingen är "
            "det fel nyckelfil, eller så har loggen skrivits om med en ny nyckel."
        )
    previous = GENESIS_HASH
    forged: list[int] = []  # entries whose signature does not match
    for row in _rows(conn, select(audit_log).order_by(audit_log.c.seq)):
        seq = row["seq"]
        expected = chain.last_seq + 1
        if seq != expected:
            missing = f"post {expected}" if seq == expected + 1 else f"post {expected}–{seq - 1}"
            found.bad(f"Granskningsloggen är bruten: {missing} saknas (borttagen).", expected)
        elif entry_hash(previous, row) != row["hash"]:
            found.bad(
                f"Granskningsloggen är bruten vid post {seq} ({row['at']}): posten har ändrats, "
                "flyttats eller lagts in i efterhand.",
                seq,
            )
        if check_macs and keyed_from is not None and seq >= keyed_from:
            assert key is not None
            if row["mac"] is None:
                found.bad(f"Post {seq} saknar signatur: den är skriven utanför medrecon.", seq)
            elif key.mac(seq, row["hash"]) != row["mac"]:
                forged.append(seq)
        if key_id is None and row["mac"] is not None:
            found.bad(
                f"Post {seq} är signerad men databasen saknar uppgiften om nyckeln "
                "(store_meta): den har tagits bort.",
                seq,
            )
        if anchor is not None and seq == anchor.seq:
            chain.hash_at_anchor = row["hash"]
        _remember(chain, row, found)
        previous = row["hash"]
        chain.last_seq = seq
        chain.last_hash = row["hash"]
        chain.entries += 1
    for first, last in _runs(forged):
        which = f"Post {first} har" if first == last else f"Posterna {first}–{last} har"
        found.bad(
            f"{which} ogiltig signatur: posten eller kedjan före den har skrivits om "
            "(hashvärdena räknats om) utan granskningsnyckeln.",
            first,
        )
    if key_id is not None and key is None:
        found.notes.append("Signaturerna kunde inte kontrolleras: nyckeln saknas.")
    return chain


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive numbers as (first, last) ranges."""
    ranges: list[tuple[int, int]] = []
    for n in numbers:
        if ranges and ranges[-1][1] == n - 1:
            ranges[-1] = (ranges[-1][0], n)
        else:
            ranges.append((n, n))
    return ranges


def _remember(chain: _Chain, row: dict[str, Any], found: _Findings) -> None:
    """Keep what a decision or sign-off entry recorded about its row."""
    if row["action"] not in {"decision", "withdrawal", "sign_off"}:
        return
    try:
        details = json.loads(row["details"])
    except ValueError:
        details = {}
    if row["action"] == "sign_off":
        target, ident, what = chain.signoffs, details.get("sign_off_id"), "avstämning"
    else:
        target, ident, what = chain.decisions, details.get("decision_id"), "beslut"
    if not isinstance(ident, int):
        found.bad(f"Post {row['seq']} saknar numret på sitt {what}.", row["seq"])
        return
    if ident in target:
        found.bad(
            f"{what.capitalize()} nr {ident} finns i två poster ({target[ident].seq} och "
            f"{row['seq']}).",
            row["seq"],
        )
    target[ident] = _Recorded(row["seq"], row, details)


def _differences(
    row: dict[str, Any],
    recorded: _Recorded,
    entry_columns: dict[str, str],
    detail_columns: tuple[str, ...],
    skip_when_absent: frozenset[str],
    json_columns: tuple[str, ...] = (),
) -> list[str]:
    changed = [col for key, col in entry_columns.items() if recorded.entry[key] != row[col]]
    for name in detail_columns:
        value = row[name]
        if name in json_columns and value is not None:
            value = json.loads(value)
        logged = recorded.details.get(name, _ABSENT)
        if logged is _ABSENT:
            if name in skip_when_absent or value is None:
                continue
            changed.append(name)
        elif logged != value:
            changed.append(name)
    return [_COLUMN_LABEL.get(name, name) for name in changed]


def _check_rows(conn: Connection, chain: _Chain, found: _Findings) -> None:
    for row in _rows(conn, select(decisions).order_by(decisions.c.id)):
        recorded = chain.decisions.pop(row["id"], None)
        if recorded is None:
            found.bad(
                f"Beslut nr {row['id']} (fynd {row['finding_id']}) finns i tabellen men inte i "
                "granskningsloggen: det är tillagt utanför medrecon."
            )
            continue
        changed = _differences(
            row,
            recorded,
            decision_rows.ENTRY_COLUMNS,
            decision_rows.DETAIL_COLUMNS,
            _DECISION_COLUMNS_BEFORE_0002,
        )
        if changed:
            found.bad(
                f"Beslut nr {row['id']} (fynd {row['finding_id']}) stämmer inte med post "
                f"{recorded.seq} i granskningsloggen: {', '.join(changed)} har ändrats.",
                recorded.seq,
            )
    for ident, recorded in sorted(chain.decisions.items()):
        found.bad(
            f"Beslut nr {ident} (post {recorded.seq}) saknas i tabellen: det är borttaget.",
            recorded.seq,
        )
    for row in _rows(conn, select(signoffs).order_by(signoffs.c.id)):
        recorded = chain.signoffs.pop(row["id"], None)
        if recorded is None:
            found.bad(
                f"Avstämning nr {row['id']} finns i tabellen men inte i granskningsloggen: den "
                "är tillagd utanför medrecon."
            )
            continue
        changed = _differences(
            row,
            recorded,
            signoff_rows.ENTRY_COLUMNS,
            signoff_rows.DETAIL_COLUMNS,
            frozenset(),
            signoff_rows.JSON_COLUMNS,
        )
        if changed:
            found.bad(
                f"Avstämning nr {row['id']} stämmer inte med post {recorded.seq} i "
                f"granskningsloggen: {', '.join(changed)} har ändrats.",
                recorded.seq,
            )
    for ident, recorded in sorted(chain.signoffs.items()):
        found.bad(
            f"Avstämning nr {ident} (post {recorded.seq}) saknas i tabellen: den är borttagen.",
            recorded.seq,
        )


def _check_anchor(chain: _Chain, anchor: Anchor | None, found: _Findings) -> None:
    if anchor is None:
        found.notes.append(
            "Ingen tidigare kontrollpunkt för den här användaren: att de senaste posterna "
            "tagits bort kan inte uteslutas förrän efter nästa kontroll eller skrivning."
        )
        return
    if anchor.seq < 1:
        found.notes.append(f"Kontrollpunkten {anchor.path} är skadad och användes inte.")
        return
    if anchor.seq > chain.last_seq:
        found.bad(
            f"Granskningsloggen slutar vid post {chain.last_seq}, men post {anchor.seq} har "
            f"skrivits eller kontrollerats härifrån tidigare ({anchor.path}): de senaste "
            "posterna är borttagna.",
            chain.last_seq + 1,
        )
    elif chain.hash_at_anchor != anchor.hash:
        found.bad(
            f"Post {anchor.seq} har en annan hash än när den skrevs eller kontrollerades "
            "härifrån: loggen har skrivits om.",
            anchor.seq,
        )


def append_only_guards(conn: Connection) -> list[str]:
    """Names of the append-only triggers that are missing or switched off."""
    dialect = conn.dialect.name
    wanted = {
        f"{table}_no_{event}"
        for table in APPEND_ONLY_TABLES
        for event in _APPEND_ONLY_EVENTS.get(dialect, ())
    }
    if dialect == "sqlite":
        query = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    else:
        query = text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
    present = set(conn.execute(query).scalars())
    return sorted(wanted - present)


def backend_check(conn: Connection, found: _Findings) -> None:
    """The database's own check of its files, where it has one."""
    if conn.dialect.name == "sqlite":
        result = [str(r) for r in conn.execute(text("PRAGMA integrity_check")).scalars()]
        if result != ["ok"]:
            found.bad("SQLite:s kontroll av databasfilen: " + "; ".join(result[:5]))
        return
    installed = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")).first()
    if installed is None:
        found.notes.append(
            "PostgreSQL har ingen inbyggd kontroll av tabellfilerna utan tillägget amcheck; "
            "alla rader lästes utan fel."
        )
        return
    indexes = text(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(:tables) "
        "AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')"
    )
    tables = ["runs", "run_inputs", "findings", *APPEND_ONLY_TABLES]
    for name in conn.execute(indexes, {"tables": tables}).scalars():
        try:
            with conn.begin_nested():
                conn.execute(
                    text("SELECT bt_index_check(CAST(:name AS regclass), true)"), {"name": name}
                )
        except DBAPIError as exc:
            found.bad(f"PostgreSQL (amcheck) hittade fel i indexet {name}: {exc.orig}")


def verify(
    conn: Connection, key: AuditKey | None, key_file: Path, anchor: Anchor | None
) -> AuditVerification:
    """Every check above, in the caller's read snapshot (``key`` None: not on this machine,
    read from ``key_file``)."""
    found = _Findings()
    chain = _check_chain(conn, key, anchor, found)
    _check_anchor(chain, anchor, found)
    _check_rows(conn, chain, found)
    for name in append_only_guards(conn):
        found.bad(f"Skyddet mot ändringar saknas: utlösaren {name} är borttagen eller avstängd.")
    backend_check(conn, found)
    key_id, _ = store_key_id(conn)
    unverifiable = None
    if key_id is not None and key is None:
        unverifiable = missing_key_message(key_file)
    if found.problems:
        message = (
            f"Granskningsloggen eller besluten har ändrats utanför medrecon: "
            f"{len(found.problems)} fel ({chain.entries} poster lästa)."
        )
    else:
        noun = "post" if chain.entries == 1 else "poster"
        message = f"Granskningsloggen är hel: {chain.entries} {noun} kontrollerade."
    return AuditVerification(
        ok=not found.problems,
        entries=chain.entries,
        first_bad=found.first_bad,
        message=message,
        head_hash=chain.last_hash,
        problems=tuple(found.problems),
        notes=tuple(found.notes),
        unverifiable=unverifiable,
    )

"""Undo brings back what an undone decision replaced; "Godkänn lika" holds only for the
agreeing lines it was given. Driven through ReviewSession on a real store (SQLite file)."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from tui_fixtures import KARIN, NILS, USER, reconciliation

from medrecon.errors import StoreConflictError
from medrecon.model import Reconciliation
from medrecon.store import Store
from medrecon.tui import patient_model as pm
from medrecon.tui.session import APPROVE_PREFIX, ReviewSession

METOPROLOL = "a1b2c3d4e5f60001"
SIMVASTATIN = "a1b2c3d4e5f60002"
FUROSEMID = "a1b2c3d4e5f60004"  # Nils


def session(store: Store, recon: Reconciliation | None = None) -> ReviewSession:
    opened = ReviewSession(store, USER, recon if recon is not None else reconciliation())
    opened.prepare()
    return opened


def current(store: Store, finding_id: str) -> tuple[str, str]:
    """(action, comment) of the finding's current decision row, or ('open', '')."""
    history = store.history(finding_id)
    if not history or history[-1].is_withdrawal:
        return ("open", "")
    return (history[-1].action, history[-1].comment)


def test_undo_brings_back_the_decision_that_was_changed(store: Store) -> None:
    review = session(store)
    review.decide(review.patient(KARIN), METOPROLOL, "intentional", "Avsiktligt enl. läkare")
    review.decide(review.patient(KARIN), METOPROLOL, "cosmic_correct", "Pascal rättas")

    assert review.undo(KARIN) == METOPROLOL
    assert current(store, METOPROLOL) == ("intentional", "Avsiktligt enl. läkare")
    assert review.patient(KARIN).finding(METOPROLOL)["action"] == "intentional"

    assert review.undo(KARIN) == METOPROLOL
    assert current(store, METOPROLOL) == ("open", "")
    assert review.patient(KARIN).finding(METOPROLOL)["status"] == "open"
    assert not review.can_undo(KARIN)

    rows_before = len(store.history(METOPROLOL))
    audit_before = len(store.audit_entries())
    assert review.undo(KARIN) is None  # nothing left: no exception, nothing written
    assert len(store.history(METOPROLOL)) == rows_before
    assert len(store.audit_entries()) == audit_before


def test_undo_of_a_comment_edit_restores_the_earlier_comment(store: Store) -> None:
    review = session(store)
    review.decide(review.patient(KARIN), SIMVASTATIN, "prescriber_contacted", "Ringt dr Ek")
    review.decide(review.patient(KARIN), SIMVASTATIN, "prescriber_contacted", "Ek svarar i morgon")
    review.undo(KARIN)
    assert current(store, SIMVASTATIN) == ("prescriber_contacted", "Ringt dr Ek")


def test_undo_after_a_colleagues_change_conflicts_once_then_other_findings_undo(
    store: Store,
) -> None:
    review = session(store)
    review.decide(review.patient(KARIN), METOPROLOL, "intentional")
    review.decide(review.patient(KARIN), SIMVASTATIN, "intentional")
    review.decide(review.patient(KARIN), SIMVASTATIN, "prescriber_contacted")
    colleague = store.history(SIMVASTATIN)[-1].id
    store.decide(
        SIMVASTATIN,
        KARIN,
        "pascal_correct",
        user="bertil.apotekare",
        expected_decision_id=colleague,
    )

    with pytest.raises(StoreConflictError, match=r"bertil\.apotekare"):
        review.undo(KARIN)
    assert current(store, SIMVASTATIN) == ("pascal_correct", "")  # the colleague's stands
    assert review.patient(KARIN).finding(SIMVASTATIN)["action"] == "pascal_correct"

    # the conflicting finding's steps are gone; the next undo is metoprolol's
    assert review.undo(KARIN) == METOPROLOL
    assert current(store, METOPROLOL) == ("open", "")
    assert current(store, SIMVASTATIN) == ("pascal_correct", "")
    assert review.undo(KARIN) is None


def test_undo_stacks_are_per_patient(store: Store) -> None:
    review = session(store)
    review.decide(review.patient(KARIN), METOPROLOL, "intentional")
    review.decide(review.patient(NILS), FUROSEMID, "intentional")
    assert review.undo(KARIN) == METOPROLOL
    assert current(store, FUROSEMID) == ("intentional", "")
    assert review.undo(KARIN) is None
    assert review.undo(NILS) == FUROSEMID


def _agreeing_line(recon: Reconciliation) -> tuple[str, str]:
    lines = recon.lines.filter(pl.col("patient_id") == KARIN)
    matches = recon.matches.filter(pl.col("patient_id") == KARIN)
    findings = recon.findings.filter(pl.col("patient_id") == KARIN)
    groups = pm.build_groups(lines, matches, findings.with_columns(status=pl.lit("open")))
    source, line_id = pm.agreeing_line_ids(groups)[0].split(":", 1)
    return source, line_id


def _with_line_changed(
    recon: Reconciliation, source: str, line_id: str, **values: str
) -> Reconciliation:
    target = (pl.col("source") == source) & (pl.col("line_id") == line_id)
    changed = recon.lines.with_columns(
        [pl.when(target).then(pl.lit(v)).otherwise(pl.col(c)).alias(c) for c, v in values.items()]
    )
    assert changed.filter(target).height == 1
    return dataclasses.replace(recon, lines=changed)


def test_approval_holds_for_the_same_agreeing_lines(store: Store) -> None:
    first = session(store)
    data = first.patient(KARIN)
    assert not data.approved
    assert first.approve_agreeing(data) > 0
    assert first.patient(KARIN).approved
    whats = [e.details.get("what", "") for e in store.audit_entries(KARIN)]
    assert any(w.startswith(APPROVE_PREFIX) for w in whats)

    assert session(store).patient(KARIN).approved  # next night, same lists
    assert not session(store).patient(NILS).approved  # another patient was not approved


def test_approval_lapses_when_an_agreeing_line_changes(store: Store) -> None:
    first = session(store)
    first.approve_agreeing(first.patient(KARIN))
    recon = reconciliation()
    source, line_id = _agreeing_line(recon)
    changed = _with_line_changed(recon, source, line_id, dosing_text="2 tabletter vid behov")
    assert not session(store, changed).patient(KARIN).approved


def test_approval_survives_a_change_to_a_line_that_does_not_agree(store: Store) -> None:
    first = session(store)
    first.approve_agreeing(first.patient(KARIN))
    changed = _with_line_changed(reconciliation(), "cosmic", "C-103", dosing_text="1 vid behov")
    assert session(store, changed).patient(KARIN).approved


def test_an_old_approval_without_hash_does_not_count(store: Store) -> None:
    store.log_access(KARIN, user=USER, what=f"{APPROVE_PREFIX} (2 st)")
    assert not session(store).patient(KARIN).approved

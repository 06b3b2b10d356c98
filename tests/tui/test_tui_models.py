"""The textual-free parts: worklist filters, row alignment, differences, handover text."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from tui_fixtures import (
    KARIN,
    MAJA,
    NILS,
    PASCAL_ONLY,
    RESERVE,
    SVEN,
    reconciliation,
    with_extra_patients,
)

from medrecon.handover import SignOff, handover_file_name, handover_text
from medrecon.tui import patient_model as pm
from medrecon.tui import worklist_model as wm


def _states(recon) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    return recon.findings.select("id").with_columns(status=pl.lit("open"))


def _worklist() -> pl.DataFrame:
    recon = reconciliation()
    statuses = pl.DataFrame({"patient_id": [NILS], "status": ["in_progress"]})
    return wm.build_worklist(recon.patients, recon.findings, _states(recon), statuses)


def test_worklist_counts_and_order() -> None:
    frame = _worklist()
    assert frame.get_column("patient_id").to_list() == [KARIN, NILS, SVEN, MAJA]
    karin = frame.row(0, named=True)
    assert (karin["n_high"], karin["n_medium"], karin["n_low"]) == (2, 1, 0)
    assert frame.filter(pl.col("patient_id") == NILS).item(0, "status_text") == "Pågående"


def test_decided_findings_are_not_counted() -> None:
    recon = reconciliation()
    states = _states(recon).with_columns(
        status=pl.when(pl.col("id") == "a1b2c3d4e5f60001")
        .then(pl.lit("decided"))
        .otherwise(pl.lit("open"))
    )
    frame = wm.build_worklist(recon.patients, recon.findings, states, pl.DataFrame(
        schema={"patient_id": pl.String, "status": pl.String}))  # fmt: skip
    assert frame.filter(pl.col("patient_id") == KARIN).item(0, "n_high") == 1


def test_filter_by_text_matches_pnr_with_or_without_dash() -> None:
    frame = _worklist()
    for text in ("19381122-3340", "193811223340", "berg"):
        assert wm.filter_worklist(frame, wm.WorklistFilter(text=text)) == [NILS]
    assert wm.filter_worklist(frame, wm.WorklistFilter(status="in_progress")) == [NILS]
    assert wm.filter_worklist(frame, wm.WorklistFilter(text="ingen sådan")) == []


def _groups(pid: str) -> list[pm.Group]:
    recon = reconciliation()
    hit = pl.col("patient_id") == pid
    findings = recon.findings.filter(hit).with_columns(status=pl.lit("open"))
    return pm.build_groups(recon.lines.filter(hit), recon.matches.filter(hit), findings)


def test_sections_in_order_and_pairs_aligned() -> None:
    groups = _groups(KARIN)
    assert [g.section for g in groups] == [
        "findings", "findings", "findings", "agree", "history", "other",
    ]  # fmt: skip
    metoprolol = groups[0]
    (cosmic, pascal), = metoprolol.pairs  # fmt: skip
    assert (cosmic["line_id"], pascal["line_id"]) == ("C-102", "P-202")
    assert pm.differing_attributes(cosmic, pascal) == {"dose", "strength"}


def test_two_findings_on_one_pair_give_two_rows_the_second_marked_same_lines() -> None:
    rows = [r for r in pm.build_rows(_groups(NILS)) if r.section == "findings" and not r.header]
    furosemid = [r for r in rows if r.cosmic and r.cosmic["line_id"] == "C-201"]
    assert [r.shows_finding for r in furosemid] == [True, True]
    assert [r.same_lines for r in furosemid] == [False, True]
    assert {r.finding_id for r in furosemid} == {"a1b2c3d4e5f60004", "a1b2c3d4e5f60005"}


def test_patient_missing_rows_share_one_finding() -> None:
    rows = [r for r in pm.build_rows(_groups(SVEN)) if not r.header]
    assert [r.finding_id for r in rows] == ["a1b2c3d4e5f60007"] * 2
    assert [r.shows_finding for r in rows] == [True, False]


def test_handover_text_has_list_differences_decisions_and_signature() -> None:
    groups = _groups(KARIN)
    groups[0].findings[0].update(status="decided", action="intentional",
                                 action_label="Avsiktlig skillnad", decided_by="anna",
                                 comment="Dosen höjd av läkare")  # fmt: skip
    patient = _worklist().row(0, named=True)
    text = handover_text(
        patient=patient,
        groups=groups,
        history={"a1b2c3d4e5f60001": ["2026-01-15 10:00 anna: Avsiktlig skillnad"]},
        sign_off=SignOff("anna", "2026-01-15 10:05"),
        user="anna",
        now=datetime(2026, 1, 15, 10, 6),
    )
    assert "Personnummer:  19400512-1234" in text
    assert "Paracetamol 500 mg" in text.split("2. Skillnader")[0]  # agreeing list
    assert "Beslut: Avsiktlig skillnad (anna)" in text
    assert "Varför: Dosen höjd av läkare" in text
    assert "Signerad av:   anna, 2026-01-15 10:05" in text
    assert text.count("INGET BESLUT ÄNNU") == 2
    assert "Natriumklorid" in text.split("3. Övriga rader")[1]


def test_handover_file_name_cannot_be_traced_to_the_patient() -> None:
    now = datetime(2026, 1, 15, 10, 6)
    first, second = handover_file_name(now), handover_file_name(now)
    assert first.startswith("overrapportering-20260115-100600-")
    # a random reference: nothing derived from the personnummer, so nothing to reverse
    assert first != second


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19330103SX3K", [RESERVE]),
        ("sx3k", [RESERVE]),
        ("19330103-sx3k", [RESERVE]),
        ("4005121234", [KARIN]),
        ("400512-1234", [KARIN]),
        ("400512+1234", [KARIN]),
        ("ANDERSSON", [KARIN]),
        ("karin andersson", [KARIN]),
        ("nyström, gun", [PASCAL_ONLY]),
        ("Gun Maria Nyström", [PASCAL_ONLY]),
    ],
)
def test_search_is_case_insensitive_and_accepts_id_forms(text: str, expected: list[str]) -> None:
    recon = with_extra_patients()
    states = recon.findings.select("id").with_columns(status=pl.lit("open"))
    empty = pl.DataFrame(schema={"patient_id": pl.String, "status": pl.String})
    frame = wm.build_worklist(recon.patients, recon.findings, states, empty)
    assert wm.filter_worklist(frame, wm.WorklistFilter(text=text)) == expected


def test_findings_that_may_be_one_switch_are_shown_next_to_each_other() -> None:
    recon = reconciliation()
    hit = pl.col("patient_id") == KARIN
    metoprolol, oxazepam = "a1b2c3d4e5f60001", "a1b2c3d4e5f60003"
    related = {metoprolol: [oxazepam], oxazepam: [metoprolol]}
    findings = (
        recon.findings.filter(hit)
        .with_columns(status=pl.lit("open"))
        .with_columns(
            related_ids=pl.col("id").replace_strict(
                related, default=[], return_dtype=pl.List(pl.String)
            )
        )
    )
    unrelated = [g.findings[0]["substance"] for g in _groups(KARIN) if g.findings]
    assert unrelated == ["metoprolol", "simvastatin", "oxazepam"]
    groups = pm.build_groups(recon.lines.filter(hit), recon.matches.filter(hit), findings)
    order = [g.findings[0]["substance"] for g in groups if g.findings]
    assert order == ["metoprolol", "oxazepam", "simvastatin"]

"""Two nights in a row through ``run_batch`` with the real store (engine output hand-built)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import polars as pl
import pytest
from batch_factory import finding, patient, recon
from openpyxl import load_workbook
from report_helpers import ANNA, KARIN, NAMES, OLLE, night_one, sheet_rows

from medrecon import batch
from medrecon.batch import BatchOptions, run_batch
from medrecon.commands import batch as batch_command
from medrecon.errors import UnusableInputError
from medrecon.model import Reconciliation
from medrecon.store import Store


def id_forms(pid: str) -> list[str]:
    """The ways a personnummer can be written (12 or 10 digits, with or without dash)."""
    return [pid, f"{pid[:8]}-{pid[8:]}", pid[2:], f"{pid[2:8]}-{pid[8:]}"]


def night_two() -> Reconciliation:
    """Karin's dose lines changed (new id, same lineage), her missing line is unchanged,
    Olle's route difference was fixed, and Anna has a new duplicate."""
    return recon(
        [
            finding(
                KARIN,
                "dose",
                "high",
                "paracetamol",
                cosmic=["C-1"],
                pascal=["P-1"],
                version="v2",
                explanation="Cosmic: 3 g/dygn, Pascal: 1 g/dygn.",
            ),
            finding(KARIN, "missing_in_pascal", "medium", "-warfarin", cosmic=["C-2"]),
            finding(ANNA, "duplicate", "medium", "omeprazol", pascal=["P-7", "P-8"]),
        ],
        [
            patient(KARIN, NAMES[0], "Hemsjukvård Norr"),
            patient(OLLE, NAMES[1], None),
            patient(ANNA, NAMES[2], "Säbo Syd"),
        ],
    )


@pytest.fixture
def night(tmp_path, monkeypatch):
    """Runs one night over the given reconciliation; export files change per night."""
    counter = {"n": 0}

    def run(result: Reconciliation, **options) -> batch.BatchResult:
        counter["n"] += 1
        exports = tmp_path / f"exports{counter['n']}"
        exports.mkdir()
        (exports / "cosmic.csv").write_text(f"natt {counter['n']}\n")
        (exports / "pascal.csv").write_text(f"natt {counter['n']}\n")
        monkeypatch.setattr(
            batch, "_reconcile", lambda cosmic, pascal, mapping, as_of, sheet: result
        )
        opts = BatchOptions(
            cosmic=[exports / "cosmic.csv"],
            pascal=[exports],
            out=tmp_path / "rapport.xlsx",
            db=tmp_path / "db" / "medrecon.db",
        )
        for key, value in options.items():
            setattr(opts, key, value)
        return run_batch(opts)

    return run


def summary_values(path: Path) -> dict[str, object]:
    ws = load_workbook(path)["Sammanfattning"]
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}


def test_two_nights_new_resolved_and_carried_decisions(night, tmp_path):
    one = night_one()
    first = night(one)
    assert first.exit_code == 0
    values = summary_values(first.report)
    assert values["Nya i natt"] == 3
    assert values["Lösta sedan förra körningen"] == 0

    ids = dict(zip(one.findings["substance"], one.findings["id"], strict=True))
    lineage = dict(zip(one.findings["substance"], one.findings["lineage"], strict=True))
    with Store.open(tmp_path / "db" / "medrecon.db") as store:
        store.decide(
            ids["-warfarin"],
            KARIN,
            "intentional",
            "Pausad inför operation",
            user="ssk.anna",
            lineage=lineage["-warfarin"],
        )
        store.decide(
            ids["paracetamol"],
            KARIN,
            "prescriber_contacted",
            "",
            user="ssk.anna",
            lineage=lineage["paracetamol"],
        )

    second = night(night_two())
    out = second.report
    header, decided = sheet_rows(out, "Beslutade")
    assert len(decided) == 1
    row = dict(zip(header, decided[0], strict=True))
    assert row["Substans"] == "-warfarin"
    assert row["Beslut"] == "Avsiktlig skillnad"
    assert row["Beslutat av"] == "ssk.anna"
    assert row["Kommentar"] == "Pausad inför operation"

    header, open_rows = sheet_rows(out, "Avvikelser")
    assert len(open_rows) == 2  # engine's 3 findings minus the decided one
    by_substance = {
        r[header.index("Substans")]: dict(zip(header, r, strict=True)) for r in open_rows
    }
    assert set(by_substance) == {"paracetamol", "omeprazol"}
    # The dose lines changed: open again, with the earlier decision shown.
    assert by_substance["paracetamol"]["Senaste beslut"].startswith(
        "Tidigare: Förskrivare kontaktad (ssk.anna"
    )
    assert by_substance["omeprazol"]["Senaste beslut"] is None

    values = summary_values(out)
    assert values["Öppna avvikelser"] == 2
    assert values["Nya i natt"] == 2  # Anna's duplicate and the changed dose finding
    assert values["Lösta sedan förra körningen"] == 2  # Olle's route, the old dose version
    assert values["Beslutade (finns kvar i listorna)"] == 1
    # Olle has nothing left, Karin has an open finding, Anna too: 1 of 3 reconciled.
    assert values["Patienter helt avstämda"] == pytest.approx(1 / 3)
    trend = [r for r in load_workbook(out)["Sammanfattning"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(trend) if r[0] == "Körning" and r[1] == "Öppna")
    assert [r[1] for r in trend[start + 1 : start + 3]] == [3, 2]


def test_first_seen_survives_the_night(night, tmp_path):
    night(night_one())
    second = night(night_two())
    header, rows = sheet_rows(second.report, "Avvikelser")
    first_seen = {r[header.index("Substans")]: r[header.index("Först sedd")] for r in rows}
    assert first_seen["omeprazol"].date() == first_seen["paracetamol"].date()  # both new


def test_fail_on_exit_codes(night):
    assert night(night_one(), fail_on="high").exit_code == 4
    changed = night(night_two(), fail_on="high")
    assert changed.exit_code == 4  # the changed dose finding is high and open again
    calm = recon(
        [finding(ANNA, "strength", "low", "omeprazol", cosmic=["C-9"], pascal=["P-9"])],
        [patient(ANNA, NAMES[2], "Säbo Syd")],
    )
    result = night(calm, fail_on="medium")
    assert (result.exit_code, result.open_at_or_above) == (0, 0)
    result = night(calm, fail_on="low")
    assert (result.exit_code, result.open_at_or_above) == (4, 1)


def test_pseudonymised_keys_stable_across_nights(night, tmp_path):
    first = night(night_one(), pseudonymise=True, out=tmp_path / "p1.xlsx")
    second = night(night_two(), pseudonymise=True, out=tmp_path / "p2.xlsx")
    assert (tmp_path / "db" / "pseudonym.key").is_file()

    def karin_key(path: Path) -> set[str]:
        header, rows = sheet_rows(path, "Avvikelser")
        return {
            r[header.index("Patientnyckel")]
            for r in rows
            if r[header.index("Substans")] == "paracetamol"
        }

    assert karin_key(first.report) == karin_key(second.report)
    assert len(karin_key(first.report)) == 1


def test_missing_export_is_unusable_input(tmp_path):
    options = BatchOptions(
        cosmic=[tmp_path / "finns-inte.csv"],
        pascal=[tmp_path],
        out=tmp_path / "r.xlsx",
        db=tmp_path / "m.db",
    )
    with pytest.raises(UnusableInputError, match="finns inte"):
        run_batch(options)
    assert not (tmp_path / "r.xlsx").exists()


def test_empty_folder_is_unusable_input(tmp_path):
    (tmp_path / "cosmic.csv").write_text("x")
    (tmp_path / "tom").mkdir()
    (tmp_path / "tom" / "~$lås.xlsx").write_text("Excel lock file")
    options = BatchOptions(
        cosmic=[tmp_path / "cosmic.csv"], pascal=[tmp_path / "tom"], out=tmp_path / "r.xlsx"
    )
    with pytest.raises(UnusableInputError, match="inga exportfiler för Pascal"):
        run_batch(options)


def test_stale_temp_files_of_a_killed_run_are_removed(tmp_path):
    out = tmp_path / "rapport.xlsx"
    stale = tmp_path / ".rapport.xlsx.abc123.tmp"
    fresh = tmp_path / ".rapport.xlsx.def456.tmp"
    other = tmp_path / ".annan.xlsx.abc.tmp"
    for path in (stale, fresh, other):
        path.write_text("x")
    import os

    os.utime(stale, (0, 0))
    os.utime(other, (0, 0))
    assert batch.remove_stale_temp_files(out) == 1
    assert not stale.exists() and fresh.exists() and other.exists()


def test_logs_hold_no_patient_data(night, tmp_path, monkeypatch, caplog):
    """Through the command (log file configured): raw records and the file are clean."""
    log_file = tmp_path / "logs" / "batch.log"
    exports = tmp_path / "ex"
    exports.mkdir()
    (exports / "c.csv").write_text("x")
    (exports / "p.csv").write_text("x")
    monkeypatch.setattr(batch, "_reconcile", lambda c, p, m, a, s: night_one())
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    args = argparse.Namespace(
        cosmic=[exports / "c.csv"],
        pascal=[exports / "p.csv"],
        out=tmp_path / "r.xlsx",
        db=tmp_path / "m.db",
        mapping=None,
        pseudonymise=False,
        pseudonym_key=None,
        fail_on="medium",
        log_file=log_file,
        as_of=None,
    )
    with caplog.at_level(logging.INFO, logger="medrecon"):
        code = batch_command.run(args)
    assert code == 4
    raw = "\n".join(r.getMessage() for r in caplog.records)
    written = log_file.read_text(encoding="utf-8")
    assert "Rapporten är skriven" in written and "slutkod 4" in written
    # (Checked per patient, not by shape: the store logs an audit hash whose hex digits
    # can look like a number.)
    for text in (raw, written):
        for pid in (KARIN, OLLE, ANNA):
            for form in id_forms(pid):
                assert form not in text
        for name in NAMES:
            assert name.split(",")[0] not in text


def test_internal_error_exit_1_without_patient_data(tmp_path, monkeypatch, caplog):
    exports = tmp_path / "ex"
    exports.mkdir()
    (exports / "c.csv").write_text("x")

    def boom(c, p, m, a, s):
        raise ValueError(f"kunde inte tolka {KARIN}")

    monkeypatch.setattr(batch, "_reconcile", boom)
    monkeypatch.delenv("MEDRECON_DEBUG", raising=False)
    args = argparse.Namespace(
        cosmic=[exports],
        pascal=[exports],
        out=tmp_path / "r.xlsx",
        db=tmp_path / "m.db",
        mapping=None,
        pseudonymise=False,
        pseudonym_key=None,
        fail_on=None,
        log_file=None,
        as_of=None,
    )
    with caplog.at_level(logging.INFO, logger="medrecon"):
        assert batch_command.run(args) == 1
    raw = "\n".join(r.getMessage() for r in caplog.records)
    assert "internt fel (ValueError)" in raw
    assert KARIN not in raw
    assert not (tmp_path / "r.xlsx").exists()


def test_trend_ignores_interactive_runs(night, tmp_path):
    night(night_one())
    with Store.open(tmp_path / "db" / "medrecon.db") as store:
        store.record_run(night_one(), inputs=[], kind="tui")
    second = night(night_one())
    rows = list(load_workbook(second.report)["Sammanfattning"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Körning" and r[1] == "Öppna")
    trend = [r for r in rows[start + 1 :] if r[0]]
    assert len(trend) == 2
    assert pl.Series([r[1] for r in trend]).to_list() == [3, 3]


def test_one_run_writes_both_reports(night, tmp_path):
    result = night(night_one(), pseudonymised_out=tmp_path / "spridning.xlsx")
    header, rows = sheet_rows(result.report, "Avvikelser")
    assert "Personnummer" in header and rows[0][header.index("Patient")] in NAMES
    p_header, p_rows = sheet_rows(tmp_path / "spridning.xlsx", "Avvikelser")
    assert "Personnummer" not in p_header and len(p_rows) == len(rows)
    with Store.open(tmp_path / "db" / "medrecon.db") as store:
        assert store.runs().height == 1  # one run, two reports


def test_fail_on_ignores_decided_findings(night, tmp_path):
    one = night_one()
    assert night(one, fail_on="high").exit_code == 4
    high = one.findings.filter(pl.col("severity") == "high").row(0, named=True)
    with Store.open(tmp_path / "db" / "medrecon.db") as store:
        store.decide(
            high["id"], high["patient_id"], "escalated", user="mas", lineage=high["lineage"]
        )
    result = night(night_one(), fail_on="high")
    assert (result.exit_code, result.open_at_or_above) == (0, 0)
    assert night(night_one(), fail_on="medium").exit_code == 4

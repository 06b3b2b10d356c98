"""The Excel report read back with openpyxl: sheets, rows, safe cells, styles, privacy."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import polars as pl
import pytest
from batch_factory import recon
from openpyxl import load_workbook
from report_helpers import ANNA, KARIN, NAMES, OLLE, all_strings, sheet_rows

from medrecon.errors import MedreconError
from medrecon.report import Pseudonymiser, RunFacts, build_report_data, write_report
from medrecon.report import workbook as workbook_module
from medrecon.report.pseudonym import KEY_HEX_CHARS
from medrecon.report.styles import SEVERITY_FILL

OPEN_HEADERS = [
    "Enhet",
    "Patient",
    "Personnummer",
    "Substans",
    "Typ",
    "Allvarlighet",
    "Cosmic-rad",
    "Pascal-rad",
    "Förklaring",
    "Ledtråd",
    "Ändrad i Cosmic",
    "Ändrad i Pascal",
    "Först sedd",
    "Dagar öppen",
    "Senaste beslut",
]


def write(recon_, facts, out: Path, **kwargs) -> Path:
    write_report(build_report_data(recon_, facts, **kwargs), out)
    return out


def test_sheets_and_headers(tmp_path, recon_one, facts):
    out = write(recon_one, facts, tmp_path / "rapport.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Sammanfattning",
        "Avvikelser",
        "Beslutade",
        "Inläsningsfel",
        "Ofullständigt inlästa",
        "Äldreindikatorer",
    ]
    assert sheet_rows(out, "Avvikelser")[0] == OPEN_HEADERS
    assert sheet_rows(out, "Beslutade")[0] == [
        *OPEN_HEADERS[:6],
        "Beslut",
        "Beslutat av",
        "Beslutat",
        "Kommentar",
        "Förklaring",
    ]
    assert sheet_rows(out, "Inläsningsfel")[0] == ["System", "Fil", "Rad", "Orsak"]
    assert sheet_rows(out, "Äldreindikatorer")[0] == [
        "Enhet",
        "Patient",
        "Personnummer",
        "Indikator",
        "Kod",
    ]


def test_open_rows_equal_open_findings_and_show_the_lines(tmp_path, recon_one, facts):
    out = write(recon_one, facts, tmp_path / "r.xlsx")
    header, rows = sheet_rows(out, "Avvikelser")
    assert len(rows) == recon_one.findings.height == 3
    by_substance = {r[header.index("Substans")]: dict(zip(header, r, strict=True)) for r in rows}
    dose = by_substance["paracetamol"]
    assert dose["Enhet"] == "Hemsjukvård Norr"
    assert dose["Patient"] == "Andersson, Karin"
    assert dose["Personnummer"] == "19400512-1233"
    assert dose["Typ"] == "Olika dos"
    assert dose["Allvarlighet"] == "Hög"
    assert dose["Cosmic-rad"].startswith("Alvedon 500 mg")
    assert dose["Först sedd"].date() == dt.date(2025, 11, 23)
    assert dose["Ledtråd"] == (
        "Pascal ändrades 2025-11-18, Cosmic senast 2025-03-02: troligen har Cosmic inte "
        "uppdaterats."
    )
    assert dose["Ändrad i Cosmic"] == dt.datetime(2025, 3, 2, 14, 10)
    assert dose["Ändrad i Pascal"] == dt.datetime(2025, 11, 18, 8, 30)
    assert dose["Dagar öppen"] == 0
    # A line without a summary falls back to its id; an empty side stays empty.
    missing = by_substance["-warfarin"]
    assert missing["Cosmic-rad"] == "C-2"
    assert missing["Pascal-rad"] is None
    # The patient only in Pascal has no unit and is listed last.
    assert rows[-1][0] == "Enhet saknas (bara i Pascal)"


def test_formula_like_text_is_stored_as_text(tmp_path, recon_one, facts):
    out = write(recon_one, facts, tmp_path / "r.xlsx")
    ws = load_workbook(out)["Avvikelser"]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row if c.value is not None}
    for text in ('=HYPERLINK("http://x";"klicka")', "-warfarin", "@omeprazol"):
        cell = cells[text]
        assert cell.data_type == "s", text
        assert cell.quotePrefix, text
    # The control character is gone, the tab kept, and the cell is still text.
    tel = cells["+46 ring\tförskrivaren"]
    assert tel.data_type == "s"
    # No cell anywhere in the workbook is a formula.
    wb = load_workbook(out)
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_every_guarded_prefix(tmp_path, facts):
    texts = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "#REF!"]
    findings = [finding_row(KARIN, f"sub{i}", explanation=text) for i, text in enumerate(texts)]
    out = write(recon(findings, [patient_row(KARIN)]), facts, tmp_path / "r.xlsx")
    ws = load_workbook(out)["Avvikelser"]
    column = [c for c in next(ws.iter_cols(min_col=9, max_col=9, min_row=2))]
    # A carriage return comes back as a line feed (XML normalises it; we do it first).
    assert sorted(c.value for c in column) == sorted(t.replace("\r", "\n") for t in texts)
    assert {c.data_type for c in column} == {"s"}


def finding_row(pid, substance, **kw):
    from batch_factory import finding

    return finding(pid, "dose", "high", substance, cosmic=["C"], pascal=["P"], **kw)


def patient_row(pid):
    from batch_factory import patient

    return patient(pid, "Test, Person", "Enhet A")


def test_severity_fills(tmp_path, recon_one, facts):
    out = write(recon_one, facts, tmp_path / "r.xlsx")
    ws = load_workbook(out)["Avvikelser"]
    col = OPEN_HEADERS.index("Allvarlighet") + 1
    fills = {
        ws.cell(row=r, column=col).value: ws.cell(row=r, column=col).fill.fgColor.rgb
        for r in range(2, 5)
    }
    assert fills == {
        "Hög": SEVERITY_FILL["high"].fgColor.rgb,
        "Medel": SEVERITY_FILL["medium"].fgColor.rgb,
        "Låg": SEVERITY_FILL["low"].fgColor.rgb,
    }
    assert len(set(fills.values())) == 3


def test_tables_autofilter_frozen_header_and_widths(tmp_path, recon_one, facts):
    out = write(recon_one, facts, tmp_path / "r.xlsx")
    wb = load_workbook(out)
    for title, rows in (("Avvikelser", 3), ("Beslutade", 0), ("Inläsningsfel", 1)):
        ws = wb[title]
        assert ws.freeze_panes == "A2", title
        (table,) = ws.tables.values()
        last_row = max(rows, 1) + 1
        assert table.ref.endswith(str(last_row)), (title, table.ref)
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref
        header = [c.value for c in ws[1]]
        assert [c.name for c in table.tableColumns] == header
    widths = wb["Avvikelser"].column_dimensions
    assert widths["I"].width >= 40  # Förklaring is readable without resizing
    assert widths["J"].width >= 40  # and so is Ledtråd
    assert widths["A"].width >= 20


def test_summary_figures_and_charts(tmp_path, recon_one, facts):
    out = write(recon_one, facts, tmp_path / "r.xlsx")
    ws = load_workbook(out)["Sammanfattning"]
    values = {row[0]: row[1:] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert values["Öppna avvikelser"][0] == 3
    assert values["  varav hög allvarlighet"][0] == 1
    assert values["Inläsningsfel (rader som inte kunde läsas)"][0] == 1
    # Anna has no findings: 1 of 3 patients fully reconciled.
    assert values["Patienter helt avstämda"][0] == pytest.approx(1 / 3)
    assert values["Hemsjukvård Norr"][:4] == (1, 1, 0, 2)
    assert values["Säbo Syd"][:4] == (0, 0, 0, 0)
    kinds = {"Olika dos", "Saknas i Pascal", "Olika administreringsväg"}
    assert kinds <= set(values)
    assert len(ws._charts) == 2


def test_empty_night_still_gives_valid_tables(tmp_path, facts):
    out = write(recon([], []), facts, tmp_path / "r.xlsx")
    wb = load_workbook(out)
    assert sheet_rows(out, "Avvikelser")[1] == []
    (table,) = wb["Avvikelser"].tables.values()
    assert table.ref == "A1:O2"  # Excel needs one body row, even an empty one
    values = {r[0]: r[1] for r in wb["Sammanfattning"].iter_rows(values_only=True) if r[0]}
    assert values["Öppna avvikelser"] == 0
    assert values["Patienter helt avstämda"] == "–"


def test_decided_findings_move_to_beslutade(tmp_path, recon_one, facts):
    decided_id = recon_one.findings.filter(pl.col("kind") == "route")["id"][0]
    states = pl.DataFrame(
        {
            "id": [decided_id],
            "status": ["decided"],
            "action_label": ["Avsiktlig skillnad"],
            "comment": ["Läkaren vill så"],
            "decided_by": ["sjuksköterska1"],
            "decided_at": ["2025-11-22T09:30:00+00:00"],
            "first_seen": ["2025-11-01T01:00:00+00:00"],
        }
    )
    out = write(recon_one, facts, tmp_path / "r.xlsx", states=states)
    header, rows = sheet_rows(out, "Beslutade")
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Beslut"] == "Avsiktlig skillnad"
    assert row["Beslutat av"] == "sjuksköterska1"
    assert row["Kommentar"] == "Läkaren vill så"
    assert isinstance(row["Beslutat"], dt.datetime)
    assert len(sheet_rows(out, "Avvikelser")[1]) == 2
    # Olle's only finding is decided: now 2 of 3 patients are fully reconciled.
    ws = load_workbook(out)["Sammanfattning"]
    values = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
    assert values["Patienter helt avstämda"] == pytest.approx(2 / 3)
    assert values["Beslutade (finns kvar i listorna)"] == 1


def test_report_is_owner_only(tmp_path, recon_one, facts):
    out = write(recon_one, facts, tmp_path / "r.xlsx")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_previous_report(tmp_path, recon_one, facts, monkeypatch):
    out = write(recon_one, facts, tmp_path / "r.xlsx")
    before = out.read_bytes()

    def crash(data, fig, target, progress=None):
        target.write(b"half a zip")
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbook_module, "build_workbook", crash)
    with pytest.raises(RuntimeError):
        write(recon([], []), facts, out)
    assert out.read_bytes() == before
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_output_must_be_xlsx(tmp_path, recon_one, facts):
    with pytest.raises(MedreconError, match=r"\.xlsx"):
        write(recon_one, facts, tmp_path / "rapport.csv")


def test_pseudonymised_report_has_no_ids_or_names(tmp_path, recon_one, facts):
    key = tmp_path / "keys" / "pseudonym.key"
    out = write(
        recon_one, facts, tmp_path / "p.xlsx", pseudonymiser=Pseudonymiser.from_key_file(key)
    )
    text = "\n".join(all_strings(out))
    for pid in (KARIN, OLLE, ANNA):
        for form in (pid, f"{pid[:8]}-{pid[8:]}", pid[2:], f"{pid[2:8]}-{pid[8:]}"):
            assert form not in text
    assert "19400512-1235" not in text  # the id inside a rejection reason is masked too
    for name in NAMES:
        for part in name.replace(",", "").split():
            assert part not in text
    header, rows = sheet_rows(out, "Avvikelser")
    assert "Patient" not in header and "Personnummer" not in header
    keys = {r[header.index("Patientnyckel")] for r in rows}
    assert all(len(k) == KEY_HEX_CHARS and int(k, 16) >= 0 for k in keys)
    assert len(keys) == 2
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_pseudonym_keys_are_stable_and_secret_dependent(tmp_path, recon_one, facts):
    key = tmp_path / "pseudonym.key"

    def keys(out: Path, key_file: Path) -> set[str]:
        write(recon_one, facts, out, pseudonymiser=Pseudonymiser.from_key_file(key_file))
        header, rows = sheet_rows(out, "Avvikelser")
        return {r[header.index("Patientnyckel")] for r in rows}

    first = keys(tmp_path / "a.xlsx", key)
    assert keys(tmp_path / "b.xlsx", key) == first
    assert keys(tmp_path / "c.xlsx", tmp_path / "other.key").isdisjoint(first)


def test_unreadable_key_file_is_a_swedish_error(tmp_path):
    key = tmp_path / "pseudonym.key"
    key.write_text("inte hex")
    with pytest.raises(MedreconError, match="Nyckelfilen"):
        Pseudonymiser.from_key_file(key)


def test_times_from_the_store_are_local(facts):
    from medrecon.report.data import local_times

    series = local_times(pl.Series(["2025-06-01T00:30:00+00:00", None]))
    expected = dt.datetime(2025, 6, 1, 0, 30, tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    assert series.to_list() == [expected, None]


def test_facts_are_shown(tmp_path, recon_one):
    facts = RunFacts(
        run_at=dt.datetime(2025, 11, 23, 2, 0),
        new_ids=frozenset(recon_one.findings["id"].to_list()[:2]),
        resolved_count=5,
        run_id=9,
    )
    out = write(recon_one, facts, tmp_path / "r.xlsx")
    ws = load_workbook(out)["Sammanfattning"]
    values = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
    assert values["Nya i natt"] == 2
    assert values["Lösta sedan förra körningen"] == 5


def test_incompletely_loaded_patients_have_a_sheet_with_the_reason(tmp_path):
    """The samples plant a Cosmic row whose personnummer has one wrong digit: the report
    names the patient it most likely belongs to, with the reason (masked when
    pseudonymised)."""
    from medrecon.engine import reconcile_files

    samples = Path(__file__).resolve().parents[2] / "sample_exports"
    result = reconcile_files(samples / "cosmic.csv", samples / "pascal.csv")
    facts = RunFacts(run_at=dt.datetime(2026, 5, 1, 2, 30))
    out = write(result, facts, tmp_path / "rapport.xlsx")
    header, rows = sheet_rows(out, "Ofullständigt inlästa")
    assert header == ["Enhet", "Patient", "Personnummer", "Varför listan kan sakna rader"]
    (karin,) = [r for r in rows if r[2] == "19400512-9822"]
    assert karin[1] == "Andersson, Karin" and "Cosmic-rad 9" in karin[3]
    assert "numret skiljer sig på en siffra" in karin[3]
    overview = dict((r[0], r[1]) for r in sheet_rows(out, "Sammanfattning")[1] if r and r[0])
    assert overview["Patienter ofullständigt inlästa (listan kan sakna rader)"] == len(
        {r[2] for r in rows}
    )

    key = tmp_path / "pseudonym.key"
    pseudo = write_report(
        build_report_data(result, facts, pseudonymiser=Pseudonymiser.from_key_file(key)),
        tmp_path / "pseudo.xlsx",
    )
    assert (
        pseudo.incomplete_patients
        == overview["Patienter ofullständigt inlästa (listan kan sakna rader)"]
    )
    text = " ".join(all_strings(tmp_path / "pseudo.xlsx"))
    assert "19400512-9823" not in text and "Andersson" not in text

"""``medrecon batch`` as cron runs it: a real process over real export files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_helpers import sheet_rows

from medrecon.engine import reconcile_files

ROOT = Path(__file__).resolve().parents[2]

COSMIC_HEADER = (
    "Personnummer;Patient;Vårdenhet;OrdinationsID;Läkemedel;Substans;Styrka;Läkemedelsform;"
    "Administreringsväg;Dosering;Doseringstyp;Insättningsdatum;Utsättningsdatum;Status;"
    "Ordinationstyp;Dosdispenserad;ATC;Förskrivare;Ändamål;Senast ändrad"
)
PASCAL_HEADER = (
    "Personnummer;Namn;ReceptID;Förskrivet läkemedel;Verksamt ämne;Styrka;Läkemedelsform;"
    "Administreringssätt;Användning;Morgon;Middag;Kväll;Natt;Dispensering;Vid behov;"
    "Insättningsdatum;Sista giltighetsdag;Utsatt;Förskrivare;ATC;NPL-id;Behandlingsorsak;Ändrad"
)
KARIN, OLLE = "19400512-1233", "19121212-1212"
NAMES = ("Andersson", "Karin", "Olle")


def cosmic_row(pid, name, unit, line_id, product, substance, strength, dosing, atc):
    return (
        f"{pid};{name};{unit};{line_id};{product};{substance};{strength};Tablett;Oral;"
        f"{dosing};Stående;2024-03-01;;Aktiv;Recept;Ja;{atc};Lena Berg;;2025-10-02 14:31"
    )


def pascal_row(pid, name, line_id, product, substance, strength, dosing, slots, atc):
    m, n, e, x = slots
    return (
        f"{pid};{name};{line_id};{product};{substance};{strength};Tablett;Oral;{dosing};"
        f"{m};{n};{e};{x};Dosdispenserad;Nej;2024-03-01;2026-02-28;;Lena Berg;{atc};;;"
        "2025-09-30 09:12"
    )


def write_exports(folder: Path, *, pascal_dose: str = "2 tabletter 2 gånger dagligen") -> None:
    """Karin: paracetamol dose differs, warfarin missing in Pascal. Olle: all agrees."""
    folder.mkdir(parents=True, exist_ok=True)
    cosmic = [
        COSMIC_HEADER,
        cosmic_row(
            KARIN,
            "Andersson, Karin",
            "Hemsjukvård Norr",
            "C-1",
            "Alvedon tablett 500 mg",
            "Paracetamol",
            "500 mg",
            "2 tabletter 3 gånger dagligen",
            "N02BE01",
        ),
        cosmic_row(
            KARIN,
            "Andersson, Karin",
            "Hemsjukvård Norr",
            "C-2",
            "Waran tablett 2,5 mg",
            "Warfarin",
            "2,5 mg",
            "1 tablett 1 gång dagligen",
            "B01AA03",
        ),
        cosmic_row(
            OLLE,
            "Berg, Olle",
            "Säbo Syd",
            "C-3",
            "Enalapril tablett 10 mg",
            "Enalapril",
            "10 mg",
            "1 tablett 1 gång dagligen",
            "C09AA02",
        ),
    ]
    pascal = [
        PASCAL_HEADER,
        pascal_row(
            KARIN.replace("-", ""),
            "Karin Andersson",
            "P-1",
            "Paracetamol tablett 500 mg",
            "Paracetamol",
            "500 mg",
            pascal_dose,
            ("2", "", "2", ""),
            "N02BE01",
        ),
        pascal_row(
            OLLE.replace("-", ""),
            "Olle Berg",
            "P-3",
            "Enalapril tablett 10 mg",
            "Enalapril",
            "10 mg",
            "1 tablett 1 gång dagligen",
            ("1", "", "", ""),
            "C09AA02",
        ),
    ]
    (folder / "cosmic").mkdir(exist_ok=True)
    (folder / "cosmic" / "cosmic.csv").write_text("\n".join(cosmic) + "\n", encoding="utf-8")
    (folder / "pascal.csv").write_text("\n".join(pascal) + "\n", encoding="utf-8")


def medrecon(*args: str | Path, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("MEDRECON_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "medrecon.cli", "batch", *map(str, args)],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = medrecon(*args, env=env)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    write_exports(tmp_path / "export")
    return tmp_path / "export"


def batch_args(tmp_path: Path, exports: Path, *extra: str | Path) -> list[str | Path]:
    return [
        "--cosmic",
        exports / "cosmic",  # a folder of exports
        "--pascal",
        exports / "pascal.csv",
        "--out",
        tmp_path / "rapporter" / "rapport.xlsx",
        "--db",
        tmp_path / "db" / "medrecon.db",
        *extra,
    ]


def test_cron_run_writes_the_report_with_the_engines_findings(tmp_path, exports):
    log_file = tmp_path / "logs" / "batch.log"
    code, err = run(*batch_args(tmp_path, exports, "--log-file", log_file))
    assert code == 0, err
    report = tmp_path / "rapporter" / "rapport.xlsx"
    recon = reconcile_files([exports / "cosmic" / "cosmic.csv"], [exports / "pascal.csv"])
    assert recon.findings.height >= 2
    _, rows = sheet_rows(report, "Avvikelser")
    assert len(rows) == recon.findings.height
    # Plain log lines (no progress bar codes) on stderr and in the file, no patient data.
    assert "INFO medrecon.batch: Rapporten är skriven" in err
    assert "\x1b[" not in err
    logged = log_file.read_text(encoding="utf-8")
    for text in (err, logged):
        for pid in (KARIN, OLLE):
            for form in (pid, pid.replace("-", ""), pid[2:], pid.replace("-", "")[2:]):
                assert form not in text
        for name in NAMES:
            assert name not in text
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"


def test_fail_on_exit_codes(tmp_path, exports):
    code, err = run(*batch_args(tmp_path, exports, "--fail-on", "high"))
    assert code == 4, err
    assert "slutkod 4" in err
    assert (tmp_path / "rapporter" / "rapport.xlsx").is_file()  # written all the same


def test_missing_export_exit_2_in_swedish_without_traceback(tmp_path, exports):
    code, err = run(
        "--cosmic",
        tmp_path / "saknas.csv",
        "--pascal",
        exports / "pascal.csv",
        "--out",
        tmp_path / "r.xlsx",
        "--db",
        tmp_path / "m.db",
    )
    assert code == 2
    assert "Exportfilen för Cosmic finns inte" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.xlsx").exists()


def test_not_an_export_exit_2_in_swedish_without_traceback(tmp_path, exports):
    bad = tmp_path / "bad.csv"
    bad.write_text("Namn;Adress\nKarin;Storgatan 1\n", encoding="utf-8")
    code, err = run(
        "--cosmic",
        bad,
        "--pascal",
        exports / "pascal.csv",
        "--out",
        tmp_path / "r.xlsx",
        "--db",
        tmp_path / "m.db",
    )
    assert code == 2, err
    assert "bad.csv" in err
    assert "Traceback" not in err


def _wait_for_line(proc: subprocess.Popen, text: str, timeout: float = 120) -> str:
    """Read the process's standard error until a line holding ``text`` has come."""
    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never came; stderr so far:\n{seen}")


def test_kill_mid_write_leaves_yesterdays_reports_and_no_file_with_patient_data(tmp_path, exports):
    pseudonymised = tmp_path / "rapporter" / "pseudo.xlsx"
    args = batch_args(tmp_path, exports, "--pseudonymised-out", pseudonymised)
    code, err = run(*args)
    assert code == 0, err
    report = tmp_path / "rapporter" / "rapport.xlsx"
    yesterday = report.read_bytes(), pseudonymised.read_bytes()

    write_exports(exports, pascal_dose="1 tablett 2 gånger dagligen")  # tonight differs
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    proc = medrecon(*args, env={"MEDRECON_TEST_PAUSE_WRITE": "120", "TMPDIR": str(private_tmp)})
    # The pause comes once the first sheet's rows have started: openpyxl is spooling.
    _wait_for_line(proc, "Testpaus i rapportskrivningen")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert (report.read_bytes(), pseudonymised.read_bytes()) == yesterday
    assert load_workbook(report).sheetnames[0] == "Sammanfattning"
    # Nothing of tonight's run is left: no temporary report beside the reports, no
    # spooled sheet in $TMPDIR.
    assert sorted(p.name for p in report.parent.iterdir()) == ["pseudo.xlsx", "rapport.xlsx"]
    assert list(private_tmp.iterdir()) == []

    # The next night's run succeeds and replaces both.
    code, err = run(*args)
    assert code == 0, err
    assert report.read_bytes() != yesterday[0]
    assert pseudonymised.read_bytes() != yesterday[1]

"""What an export path can be: a FIFO, a device, a socket, a file still being written.

Each is answered at once with a Swedish message that says what the path is; files in a
drop folder that are not read are listed with the reason in ``check``, in
``reconcile``'s table and in the batch log. The run records the hash of exactly the
bytes it reconciled.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from adapter_fixtures import COSMIC_HEADER, PASCAL_HEADER, cosmic_row, pascal_row, write_csv

from adapters import load_export, load_exports, source
from medrecon.batch import BatchOptions, run_batch
from medrecon.cli import main
from medrecon.errors import UnusableInputError
from medrecon.store import Store

ROOT = Path(__file__).resolve().parents[2]


def medrecon(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it; ``timeout`` turns a hang into a failure."""
    return subprocess.run(
        [sys.executable, "-m", "medrecon.cli", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_check_on_a_fifo_answers_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "cosmic.csv"
    os.mkfifo(fifo)
    done = medrecon("check", fifo, timeout=60)  # used to wait forever for a writer
    assert done.returncode == 2
    assert "cosmic.csv kan inte användas: det är en namngiven rörledning (FIFO)" in done.stdout


def test_a_device_and_a_socket_are_named_for_what_they_are(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError, match=r"teckenenhet \(som /dev/zero\)"):
        load_export(Path("/dev/zero"))
    path = tmp_path / "export.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        with pytest.raises(UnusableInputError, match="det är en socket"):
            load_export(path)
    finally:
        server.close()


def test_batch_names_a_fifo_instead_of_calling_it_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fifo = tmp_path / "cosmic.csv"
    os.mkfifo(fifo)
    pascal = write_csv(tmp_path / "pascal.csv", PASCAL_HEADER, [pascal_row()])
    with pytest.raises(UnusableInputError) as err:
        run_batch(
            BatchOptions(
                cosmic=[fifo], pascal=[pascal], out=tmp_path / "r.xlsx", db=tmp_path / "m.db"
            )
        )
    assert "FIFO" in err.value.message
    assert "finns inte" not in err.value.message


def test_a_file_that_changes_while_it_is_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "cosmic.csv", COSMIC_HEADER, [cosmic_row()])
    real_copy = source._copy

    def copy_while_the_export_job_appends(fd: int) -> tuple[int | None, bytes | None, int]:
        copied = real_copy(fd)
        with path.open("a", encoding="utf-8") as export_job:  # the job writes on
            export_job.write(";".join(cosmic_row(OrdinationsID="C-2").values()) + "\n")
        return copied

    monkeypatch.setattr(source, "_copy", copy_while_the_export_job_appends)
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    assert "cosmic.csv ändrades medan den lästes" in out
    assert "skrivs troligen fortfarande" in out


def test_the_run_records_the_hash_of_exactly_the_bytes_it_read(tmp_path: Path) -> None:
    cosmic = write_csv(tmp_path / "cosmic.csv", COSMIC_HEADER, [cosmic_row()])
    pascal = write_csv(tmp_path / "pascal.csv", PASCAL_HEADER, [pascal_row()])
    read = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (cosmic, pascal)}
    result = load_exports([cosmic], system="cosmic")
    assert (result.files[0].size, result.files[0].sha256) == (
        cosmic.stat().st_size,
        read[cosmic.name],
    )

    db = tmp_path / "m.db"
    run_batch(BatchOptions(cosmic=[cosmic], pascal=[pascal], out=tmp_path / "r.xlsx", db=db))
    with Store.open(db) as store, store.engine.connect() as conn:
        from medrecon.store.tables import run_inputs

        rows = {r.name: r.sha256 for r in conn.execute(run_inputs.select())}
    assert rows == read


def test_skipped_files_of_a_drop_folder_are_listed_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    drop = tmp_path / "export"
    drop.mkdir()
    write_csv(drop / "cosmic.csv", COSMIC_HEADER, [cosmic_row()])
    write_csv(drop / "pascal.csv", PASCAL_HEADER, [pascal_row()])
    (drop / "cosmic_makro.xlsm").write_bytes(b"PK\x03\x04")
    (drop / "pascal.csv.part").write_text("Personnummer;Na", encoding="utf-8")
    (drop / "gammal.csv.gz").write_bytes(b"\x1f\x8b")
    os.mkfifo(drop / "rör.csv")

    assert main(["check", str(drop)]) == 0
    out = capsys.readouterr().out
    assert "== Filer i mapparna som inte läses ==" in out
    assert "cosmic_makro.xlsm: Excel-fil med makron (.xlsm)" in out
    assert "pascal.csv.part: en ofullständig fil som troligen fortfarande skrivs" in out
    assert "gammal.csv.gz: en komprimerad fil (.gz)" in out
    assert "rör.csv: det är en namngiven rörledning (FIFO)" in out

    assert main(["reconcile", str(drop), str(drop)]) == 0
    table = capsys.readouterr().out
    assert "4 filer i mapparna lästes inte" in table
    assert "cosmic_makro.xlsm" in table and "pascal.csv.part" in table
    assert "cosmic.csv" not in table.split("lästes inte")[1]  # read, by its own system

    with caplog.at_level(logging.INFO, logger="medrecon"):
        run_batch(
            BatchOptions(
                cosmic=[drop], pascal=[drop], out=tmp_path / "r.xlsx", db=tmp_path / "m.db"
            )
        )
    logged = caplog.text
    assert "Läste inte cosmic_makro.xlsm: Excel-fil med makron" in logged
    assert "Läste inte rör.csv: det är en namngiven rörledning (FIFO)" in logged

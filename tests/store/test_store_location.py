"""The store by URL: PostgreSQL given only a URL, bad addresses refused in Swedish, and
the password never written anywhere (paths, logs, errors, audit log, report)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pg_server import APP_ROLE, PgServer
from store_helpers import PATIENT_A

from medrecon.cli import main
from medrecon.store import Store, default_location, resolve_location

SAMPLES = Path(__file__).resolve().parents[2] / "sample_exports"
SECRET = "Hemligt-lösen-1"


def _everything_under(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*")]


@pytest.mark.parametrize(
    ("given", "why"),
    [
        (f"mysql://anna:{SECRET}@db.region.se/medrecon", "databastypen ”mysql” stöds inte"),
        (f"postgresql://anna:{SECRET}@db.region.se:femtio/medrecon", "felskriven"),
        (f"postgresql+psycopg2://anna:{SECRET}@db/medrecon", "drivrutinen ”psycopg2”"),
        (f"postgresql+psycopg://anna:{SECRET}@db.region.se/", "databasens namn saknas"),
        (f"postgresql:anna:{SECRET}@db/medrecon", ":// saknas"),
        ("sqlite://", "behöver ett filnamn"),
    ],
)
def test_bad_address_is_refused_in_swedish_and_creates_nothing(
    given: str,
    why: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["audit", "verify"], ["decide", "0" * 16, "--patient", PATIENT_A,
                                          "--action", "fixed"]):  # fmt: skip
        assert main([*command, "--db", given]) == 2
        err = capsys.readouterr().err
        assert why in err and "Databasadressen" in err
        assert SECRET not in err
    assert _everything_under(tmp_path) == []  # no "./postgresql+psycopg:" folder


def test_url_from_the_environment_and_the_config_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"postgresql+psycopg://{APP_ROLE}:{SECRET}@db.region.se:5433/medrecon"
    monkeypatch.setenv("MEDRECON_DB", url)
    location = default_location()
    assert (location.backend, location.path) == ("postgresql", None)
    assert location.display == f"postgresql+psycopg://{APP_ROLE}:***@db.region.se:5433/medrecon"
    monkeypatch.delenv("MEDRECON_DB")
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "medrecon" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'db = "postgres://{APP_ROLE}@db.region.se/medrecon"\n', encoding="utf-8")
    location = default_location()
    assert location.url.drivername == "postgresql+psycopg" and location.url.password is None
    assert resolve_location("beslut.db").path == Path("beslut.db")


def test_batch_decide_and_verify_on_postgresql_never_write_the_password(
    pg_server: PgServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The whole nightly run and the scripts against a server given only a URL."""
    database = pg_server.create_database()
    with pg_server.admin() as admin:
        admin.execute(f"ALTER ROLE {APP_ROLE} PASSWORD '{SECRET}'")
    try:
        url = f"postgresql+psycopg://{APP_ROLE}:{SECRET}@127.0.0.1:{pg_server.port}/{database}"
        monkeypatch.chdir(tmp_path)
        report, log = tmp_path / "rapport.xlsx", tmp_path / "logg" / "batch.log"
        code = main(
            ["batch", "--cosmic", str(SAMPLES / "cosmic.csv"), "--pascal",
             str(SAMPLES / "pascal.csv"), "--out", str(report), "--db", url,
             "--log-file", str(log)]
        )  # fmt: skip
        assert code == 0
        with Store.open(url) as store:
            runs = store.runs()
            assert runs.height == 1 and runs["n_findings"][0] > 0
            some = store_findings(store)
            fid, patient = some["id"][0], some["patient_id"][0]
        assert main(["decide", fid, "--patient", patient, "--action", "fixed", "--db", url]) == 0
        assert main(["audit", "verify", "--db", url]) == 0
        out = capsys.readouterr()

        texts = [out.out, out.err, log.read_text(encoding="utf-8")]
        wb = load_workbook(report)
        texts += [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
        with pg_server.admin(database) as raw:
            for table in ("audit_log", "runs", "run_inputs", "store_meta", "decisions"):
                texts += [str(row) for row in raw.execute(f"SELECT * FROM {table}").fetchall()]
        texts += _everything_under(tmp_path)
        texts += _everything_under(Path(os.environ["XDG_STATE_HOME"]))
        texts += _everything_under(Path(os.environ["XDG_CONFIG_HOME"]))
        for text in texts:
            assert SECRET not in text
        assert "Körning 1" in texts[2] or "Körning" in texts[2]  # the log was written
    finally:
        with pg_server.admin() as admin:
            admin.execute(f"ALTER ROLE {APP_ROLE} PASSWORD '{pg_server.app_password}'")


def store_findings(store: Store):  # type: ignore[no-untyped-def]
    """Ids and patients of the findings the run recorded (through the store's engine)."""
    import polars as pl
    from sqlalchemy import select

    from medrecon.store.tables import findings

    with store.engine.connect() as conn:
        rows = conn.execute(select(findings.c.id, findings.c.patient_id, findings.c.lineage))
        frame = pl.DataFrame([tuple(r) for r in rows], schema=["id", "patient_id", "lineage"],
                             orient="row")  # fmt: skip
    return frame.filter(pl.col("patient_id").str.contains(r"^\d{12}$")).head(1)


def test_wrong_password_and_no_server_are_swedish_messages_without_the_password(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    database = pg_server.create_database()
    wrong = f"postgresql+psycopg://{APP_ROLE}:{SECRET}@127.0.0.1:{pg_server.port}/{database}"
    assert main(["audit", "verify", "--db", wrong]) == 2
    err = capsys.readouterr().err
    assert "Databasservern" in err and SECRET not in err and "***" in err
    closed = f"postgresql+psycopg://{APP_ROLE}:{SECRET}@127.0.0.1:1/{database}"
    assert main(["audit", "verify", "--db", closed]) == 2
    err = capsys.readouterr().err
    assert "kan inte nås" in err and SECRET not in err


def test_password_from_pgpassfile_or_pgpassword(
    pg_server: PgServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = pg_server.create_database()
    url = pg_server.url(database, with_password=False)
    assert main(["audit", "show", "--db", url]) == 2  # no password anywhere: refused
    assert "PGPASSFILE" in capsys.readouterr().err
    with Store.open(pg_server.url(database)) as store:
        store.decide("f1", PATIENT_A, "fixed")  # the database gets its tables
    passfile = tmp_path / "pgpass"
    passfile.write_text(
        f"127.0.0.1:{pg_server.port}:{database}:{APP_ROLE}:{pg_server.app_password}\n",
        encoding="utf-8",
    )
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert main(["audit", "verify", "--db", url]) == 0
    monkeypatch.delenv("PGPASSFILE")
    monkeypatch.setenv("PGPASSWORD", pg_server.app_password)
    assert main(["audit", "verify", "--db", url]) == 0


def test_an_empty_server_database_is_not_verified_as_a_store(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--db", pg_url]) == 2
    assert "är tom" in capsys.readouterr().err

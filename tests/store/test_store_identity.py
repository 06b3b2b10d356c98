"""Who decided: the OS account always, HSA-id and role when configured, and a scripted
import recorded as imported by the OS account on behalf of the named person."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from store_helpers import PATIENT_A, finding, recon

from medrecon.cli import main
from medrecon.store import Store

F1 = "00000000000000f1"
ACCOUNT = pwd.getpwuid(os.geteuid()).pw_name


def _config(text: str) -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "medrecon"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


def test_decide_user_is_recorded_as_imported_by_the_os_account(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db_path) as store:
        store.record_run(recon([finding(F1)]), [], user="natt")
    args = ["decide", F1, "--patient", PATIENT_A, "--db", str(db_path)]
    assert main([*args, "--action", "fixed", "--user", "Karin Lund"]) == 0
    assert f"Karin Lund (importerat av {ACCOUNT})" in capsys.readouterr().out
    with Store.open(db_path) as store:
        (made,) = store.history(F1)
        assert (made.decided_by, made.os_user, made.imported) == ("Karin Lund", ACCOUNT, True)
        assert made.actor == f"Karin Lund (importerat av {ACCOUNT})"
        states = store.finding_states(recon([finding(F1)]).findings)
        assert states["decided_by"].to_list() == [f"Karin Lund (importerat av {ACCOUNT})"]
    # never NAME alone: the audit listing and another user's conflict message say it too
    assert main(["audit", "show", "--db", str(db_path)]) == 0
    assert f"Karin Lund (importerat av {ACCOUNT})" in capsys.readouterr().out
    assert main([*args, "--action", "intentional"]) == 3
    assert f"Karin Lund (importerat av {ACCOUNT})" in capsys.readouterr().err


def test_own_decision_records_the_account_even_with_user_spoofed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    made = store.decide("f1", PATIENT_A, "fixed")
    assert (made.decided_by, made.os_user, made.imported) == (ACCOUNT, ACCOUNT, False)


def test_configured_hsa_id_and_role_are_recorded_with_decisions_and_sign_offs(
    store: Store, capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    _config('hsa_id = "SE2321000016-ABC1"\nrole = "Sjuksköterska"\n')
    made = store.decide("f1", PATIENT_A, "fixed", user="anna")
    signed = store.sign_off(PATIENT_A, ["f1"], lists_hash="h", user="anna")
    assert (made.hsa_id, made.role) == ("SE2321000016-ABC1", "sjuksköterska")
    assert (signed.hsa_id, signed.role, signed.os_user) == (
        "SE2321000016-ABC1",
        "sjuksköterska",
        ACCOUNT,
    )
    assert store.history("f1")[0].actor == "anna, sjuksköterska"
    assert main(["audit", "show", "--db", str(db_path)]) == 0
    assert (
        f"anna, sjuksköterska [konto {ACCOUNT}] [HSA SE2321000016-ABC1]" in capsys.readouterr().out
    )
    assert store.verify_audit().ok  # the identity is part of what verify checks


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('role = "undersköterska"\n', "Okänd roll"),
        ('hsa_id = "12345"\n', "inget HSA-id"),
        ('roll = "läkare"\nhsaid = "x"\n', "okända nycklar: hsaid, roll"),
    ],
)
def test_bad_identity_settings_are_refused_in_swedish(
    db_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    with Store.open(db_path) as store:
        store.record_run(recon([finding(F1)]), [], user="natt")
    _config(config)
    args = ["decide", F1, "--patient", PATIENT_A, "--action", "fixed", "--db", str(db_path)]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    with Store.open(db_path) as store:
        assert store.history(F1) == []  # nothing recorded under a wrong identity

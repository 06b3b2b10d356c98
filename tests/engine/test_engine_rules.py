"""``rules/`` as the engine reads it: a pharmacist's mistake is named, never ignored."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medrecon.engine import Rules
from medrecon.errors import MedreconError
from medrecon.kinds import KINDS, SITUATION_REGISTRY
from medrecon.rules_path import rules_dir


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    return folder


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_shipped_rules_load_with_every_kind_and_situation() -> None:
    rules = Rules.load()
    assert set(rules.severity) == set(KINDS)
    assert set(rules.severity_situation) == {s.code for s in SITUATION_REGISTRY}
    assert 0 < rules.fuzzy_threshold <= 100


def test_a_situation_severity_changes_the_finding_without_code(rules_copy: Path) -> None:
    path = rules_copy / "severities.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'once_daily_time = "medium"', 'once_daily_time = "low"'
        ),
        encoding="utf-8",
    )
    assert Rules.load(rules_copy).severity_situation["once_daily_time"] == "low"


@pytest.mark.parametrize(
    ("file", "addition", "message"),
    [
        ("severities.toml", '\n[situaton]\nonce_daily_time = "low"\n', "okänt avsnitt [situaton]"),
        # appended to the last section, [situation]
        ("severities.toml", '\nonce_daly_time = "low"\n', "okänd nyckel 'once_daly_time'"),
        ("high_risk.toml", '\n[[drug]]\nname = "x"\natcs = ["A01"]\n', "okänd nyckel 'atcs'"),
        ("elderly.toml", '\n[[avoid]]\ncode = "x"\nreasn = "y"\n', "okänd nyckel 'reasn'"),
        ("matching.toml", "\nfuzzy_treshold = 80\n", "okänd nyckel 'fuzzy_treshold'"),
    ],
)
def test_unknown_keys_are_refused_with_file_and_line(
    rules_copy: Path, file: str, addition: str, message: str
) -> None:
    _append(rules_copy / file, addition)
    with pytest.raises(MedreconError) as error:
        Rules.load(rules_copy)
    assert message in str(error.value)
    assert file in str(error.value)
    assert "rad " in str(error.value)


def test_an_unknown_severity_value_is_refused(rules_copy: Path) -> None:
    path = rules_copy / "severities.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('route = "high"', 'route = "urgent"'),
        encoding="utf-8",
    )
    with pytest.raises(MedreconError, match="route = 'urgent'"):
        Rules.load(rules_copy)


def test_a_missing_kind_is_refused(rules_copy: Path) -> None:
    path = rules_copy / "severities.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('dispensing = "low"\n', "", 1), encoding="utf-8"
    )
    with pytest.raises(MedreconError, match="saknade avvikelsetyper: dispensing"):
        Rules.load(rules_copy)

"""Every rules file refuses what it does not know, naming file, key and line: a misspelt
key in forms, routes or units must never be ignored silently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medrecon.errors import MedreconError
from medrecon.normalise import forms, strength
from medrecon.rules_path import rules_dir


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "forms.toml",
            "[classes.plain_oral_solid]\n",
            "[classes.plain_oral_solid]\nlable = 'x'\n",
            "okänd nyckel 'lable' i [classes.plain_oral_solid]",
        ),
        ("forms.toml", "[abbreviations]", "[abreviations]", "okänt avsnitt [abreviations]"),
        (
            "routes.toml",
            "[routes.oral]\n",
            "[routes.oral]\ntext = ['x']\n",
            "okänd nyckel 'text' i [routes.oral]",
        ),
        ("units.toml", "[skipped]\n", "[skipped]\nphrase = ['x']\n", "okänd nyckel 'phrase'"),
        ("units.toml", "[per]", "[pers]", "okänt avsnitt [pers]"),
    ],
)
def test_a_misspelt_key_is_refused_with_file_and_line(
    rules_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    _edit(rules_copy / file, old, new)
    loader = strength._load_units if file == "units.toml" else forms._load
    with pytest.raises(MedreconError) as error:
        loader(str(rules_copy))
    text = str(error.value)
    assert message in text and file in text and "rad " in text


def test_the_shipped_files_load() -> None:
    assert forms._load(str(rules_dir())).class_label
    assert strength._load_units(str(rules_dir())).quantity

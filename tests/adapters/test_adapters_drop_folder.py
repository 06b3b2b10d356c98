"""A drop folder that holds both systems' exports, as nightly export jobs often leave it."""

from __future__ import annotations

from pathlib import Path

import pytest
from adapter_fixtures import COSMIC_HEADER, PASCAL_HEADER, cosmic_row, pascal_row, write_csv

from adapters import load_exports
from medrecon.cli import main
from medrecon.errors import UnusableInputError
from medrecon.schema import COSMIC, PASCAL


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    write_csv(folder / "cosmic.csv", COSMIC_HEADER, [cosmic_row()])
    write_csv(folder / "pascal.csv", PASCAL_HEADER, [pascal_row()])
    return folder


@pytest.mark.parametrize(
    ("system", "kept", "left_out"), [(COSMIC, "cosmic", "pascal"), (PASCAL, "pascal", "cosmic")]
)
def test_each_system_reads_its_own_files_from_a_shared_folder(
    drop: Path, system: str, kept: str, left_out: str
) -> None:
    result = load_exports([drop], system=system)
    assert [f.path.name for f in result.files] == [f"{kept}.csv"]
    assert result.lines.height == 1 and set(result.lines["source"]) == {system}
    assert [p.name for p in result.skipped_files] == [f"{left_out}.csv"]


def test_a_file_named_directly_for_the_wrong_system_is_still_refused(drop: Path) -> None:
    with pytest.raises(UnusableInputError, match="bytt plats"):
        load_exports([drop / "pascal.csv"], system=COSMIC)


def test_a_folder_with_only_the_other_system_says_so(tmp_path: Path) -> None:
    write_csv(tmp_path / "pascal.csv", PASCAL_HEADER, [pascal_row()])
    with pytest.raises(UnusableInputError, match=r"Ingen Cosmic-export.*pascal\.csv"):
        load_exports([tmp_path], system=COSMIC)


def test_reconcile_on_one_shared_folder(drop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reconcile", str(drop), str(drop), "--format", "json"]) == 0
    assert '"patient_id"' in capsys.readouterr().out

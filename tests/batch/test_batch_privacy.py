"""Nothing identifying leaks from a nightly run: the pseudonymised report, messages, logs.

The exports plant the patient's personnummer (in every way it is written) and name in
every text column and in the file names; the pseudonymised workbook is read back cell
by cell and must hold none of them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from medrecon.batch import BatchOptions, run_batch
from medrecon.cli import main
from medrecon.errors import UnusableInputError

PNR = "194005121233"  # fictional, valid check digit
FORMS = (
    PNR,
    "19400512-1233",
    "400512-1233",
    "4005121233",
    "400512+1233",
    "19400512 1233",
    "400512 1233",
)
NAMES = ("Karin", "Andersson", "KARIN", "ANDERSSON")
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


def planted(i: int) -> str:
    """An identifier form and a name, as a nurse might have typed them into a text."""
    return f"{FORMS[i % len(FORMS)]} {NAMES[i % len(NAMES)]}"


def write_exports(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    cosmic_rows = [
        ";".join(
            [
                "19400512-1233",
                "Andersson, Karin",
                f"Hemsjukvård Norr {planted(0)}",
                "C-1",
                f"Alvedon tablett 500 mg {planted(1)}",
                f"Paracetamol {planted(2)}",
                f"500 mg {planted(3)}",
                f"Tablett {planted(4)}",
                f"Oral {planted(5)}",
                f"2 tabletter 3 gånger dagligen {planted(6)}",
                "Stående",
                "2024-03-01",
                "",
                "Aktiv",
                "Recept",
                "Ja",
                "N02BE01",
                f"Lena Berg {planted(7)}",
                f"mot smärta {planted(8)}",
                "2025-10-02 14:31",
            ]
        ),
        # Only in Cosmic: a missing_in_pascal finding whose line text carries the name.
        f"{PNR};Andersson, Karin;Norr;C-2;Waran 2,5 mg Karin;Warfarin;2,5 mg;Tablett;Oral;"
        f"1 tablett dagligen {planted(9)};Stående;2024-03-01;;Aktiv;Recept;Ja;B01AA03;Lena;;",
        # Rejected: the reason quotes the bad value, which holds an identifier and a name.
        f"{PNR};Andersson, Karin;Norr;C-3;Furix 40 mg;Furosemid;40 mg;Tablett;Oral;1x1;"
        f"Stående;2024-03-01;;{planted(10)};Recept;Ja;C03CA01;Lena;;",
    ]
    pascal_rows = [
        ";".join(
            [
                PNR,
                "Karin Andersson",
                "P-1",
                f"Paracetamol Teva 500 mg {planted(11)}",
                f"Paracetamol {planted(12)}",
                f"500 mg {planted(13)}",
                "Tablett",
                "Oral",
                f"2 tabletter 2 gånger dagligen {planted(14)}",
                "2",
                "",
                "2",
                "",
                "Dosdispenserad",
                "Nej",
                "2024-03-01",
                "2026-02-28",
                "",
                f"Lena Berg {planted(15)}",
                "N02BE01",
                "",
                f"Smärta {planted(16)}",
                "2025-09-30 09:12",
            ]
        )
    ]
    cosmic = folder / f"cosmic_{PNR}_Andersson.csv"
    pascal = folder / "pascal_400512-1233_Karin.csv"
    cosmic.write_text("\n".join([COSMIC_HEADER, *cosmic_rows]) + "\n", encoding="utf-8")
    pascal.write_text("\n".join([PASCAL_HEADER, *pascal_rows]) + "\n", encoding="utf-8")
    return cosmic, pascal


def workbook_text(path: Path) -> str:
    wb = load_workbook(path)
    return "\n".join(
        str(cell.value) for ws in wb for row in ws.iter_rows() for cell in row if cell.value
    )


def test_the_pseudonymised_report_masks_identifiers_in_every_text_and_file_name(
    tmp_path: Path,
) -> None:
    cosmic, pascal = write_exports(tmp_path / "export")
    out, pseudo = tmp_path / "r" / "rapport.xlsx", tmp_path / "r" / "pseudo.xlsx"
    result = run_batch(
        BatchOptions(
            cosmic=[cosmic],
            pascal=[pascal],
            out=out,
            db=tmp_path / "m.db",
            pseudonymised_out=pseudo,
        )
    )
    main_text = workbook_text(out)
    # The planted identifiers really reached the report: the main one shows them.
    assert "Karin" in main_text and "19400512-1233" in main_text
    assert result.figures.open_total >= 2

    text = workbook_text(pseudo)
    for form in FORMS:
        assert form not in text, form
    for name in NAMES:
        assert name not in text, name
    assert "[personnummer]" in text and "[namn]" in text
    # Still a useful report: the findings and the rejected row are there.
    assert "Inläsningsfel" in load_workbook(pseudo).sheetnames
    assert 'kolumnen "Status"' in text


def test_a_headerless_export_is_refused_without_quoting_its_first_row(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic, pascal = write_exports(tmp_path / "export")
    lines = cosmic.read_text(encoding="utf-8").splitlines()
    cosmic.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # no header row
    with pytest.raises(UnusableInputError) as err:
        run_batch(
            BatchOptions(
                cosmic=[cosmic], pascal=[pascal], out=tmp_path / "r.xlsx", db=tmp_path / "m.db"
            )
        )
    assert "rubrikrad" in err.value.message
    for secret in ("19400512-1233", "Andersson", "Karin"):
        assert secret not in err.value.message.replace(cosmic.name, "")
    code = main(["check", str(cosmic)])
    out = capsys.readouterr().out
    assert code == 2
    assert "Andersson" not in out.replace(cosmic.name, "")


def test_a_log_file_that_is_a_symlink_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cosmic, pascal = write_exports(tmp_path / "export")
    shared = tmp_path / "world-readable.log"
    shared.write_text("", encoding="utf-8")
    os.chmod(shared, 0o644)
    link = tmp_path / "logs" / "batch.log"
    link.parent.mkdir()
    link.symlink_to(shared)
    code = main(
        ["batch", "--cosmic", str(cosmic), "--pascal", str(pascal), "--out",
         str(tmp_path / "r.xlsx"), "--db", str(tmp_path / "m.db"), "--log-file", str(link)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "symbolisk länk" in err
    assert shared.read_text(encoding="utf-8") == ""
    assert not (tmp_path / "r.xlsx").exists()
    logging.getLogger("medrecon").handlers.clear()

"""Regenerate the sample exports, their expected findings and README.md, byte for byte.

    .venv/bin/python sample_exports/make_samples.py [OUTPUT_FOLDER]

The patients are hand-written in ``scenarios.py``; rendering, truth and severities come
from ``medrecon.synth`` (the same code as the random generator). Without an argument the
files are written next to this script.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from scenarios import PATIENT_NOTES, PATIENTS  # noqa: E402

from medrecon.synth import SyntheticPair, render_plan  # noqa: E402
from medrecon.synth.drugs import DRUGS  # noqa: E402
from medrecon.synth.plan import PLAN_KIND  # noqa: E402
from medrecon.synth.scenario import build, patient_ids  # noqa: E402

SEVERITY_SV = {"high": "hög", "medium": "medel", "low": "låg"}

# Malformed rows: (file, after the rows of this patient, reason, builder of the cells)
MALFORMED_NOTES = {
    "check_digit": "ogiltigt personnummer (kontrollsiffran stämmer inte)",
    "empty_product": "Läkemedel saknas (tom cell i obligatorisk kolumn)",
    "ragged": "fel antal fält på raden (12 i stället för 20)",
    "bad_date": "ogiltigt datum i Insättningsdatum (2024-13-45)",
    "bad_amount": "mängden i Morgon går inte att tolka ('ett par')",
    "pascal_check_digit": "ogiltigt personnummer (kontrollsiffran stämmer inte)",
}


def _bad_check_digit(pnr: str) -> str:
    return pnr[:-1] + str((int(pnr[-1]) + 1) % 10)


def _cells(frame: pl.DataFrame, patient_row: int, **changes: str) -> list[str]:
    """A row built from one of the patient's rows, marked ended so it can never match."""
    row = {k: ("" if v is None else str(v)) for k, v in frame.row(patient_row, named=True).items()}
    row.update(changes)
    return [row[c] for c in frame.columns]


def _csv_line(cells: list[str], sep: str = ";") -> str:
    out = []
    for cell in cells:
        if any(ch in cell for ch in (sep, '"', "\n")):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return sep.join(out)


def _last_row_of(frame: pl.DataFrame, pnr: str) -> int:
    rows = frame.with_row_index().filter(pl.col("Personnummer") == pnr)["index"]
    return int(rows.max())  # type: ignore[arg-type]


def malformed_rows(pair: SyntheticPair) -> dict[str, list[tuple[int, str, list[str]]]]:
    """Per file: (insert after data row index, reason key, cells)."""
    ids = {f"{p.first} {p.last}": patient_ids(p) for p in PATIENTS}
    c, p = pair.cosmic, pair.pascal
    ended_c = {"Status": "Utsatt", "Utsättningsdatum": "2025-06-30"}
    ended_p = {"Utsatt": "2025-06-30"}
    karin = _last_row_of(c, ids["Karin Andersson"][1])
    birgitta = _last_row_of(c, ids["Birgitta Karlsson"][1])
    bengt = _last_row_of(c, ids["Bengt Persson"][1])
    gunnel = _last_row_of(p, ids["Gunnel Pettersson"][2])
    kerstin = _last_row_of(p, ids["Kerstin Bengtsson"][2])
    olle = _last_row_of(p, ids["Olle Berglund"][2])
    bad_karin = _bad_check_digit(ids["Karin Andersson"][1])
    bad_olle = _bad_check_digit(ids["Olle Berglund"][2])
    return {
        "cosmic": [
            (karin, "check_digit", _cells(c, karin, **ended_c, OrdinationsID="C-900001",
                                          Personnummer=bad_karin)),
            (birgitta, "empty_product", _cells(c, birgitta, **ended_c, OrdinationsID="C-900002",
                                               Läkemedel="")),
            (bengt, "ragged", _cells(c, bengt, **ended_c, OrdinationsID="C-900003")[:12]),
        ],
        "pascal": [
            (gunnel, "bad_date", _cells(p, gunnel, **ended_p, ReceptID="P-900001",
                                        Insättningsdatum="2024-13-45")),
            (kerstin, "bad_amount", _cells(p, kerstin, **ended_p, ReceptID="P-900002",
                                           Morgon="ett par")),
            (olle, "pascal_check_digit", _cells(p, olle, **ended_p, ReceptID="P-900003",
                                                Personnummer=bad_olle)),
        ],
    }  # fmt: skip


def export_lines(
    frame: pl.DataFrame, bad: list[tuple[int, str, list[str]]]
) -> tuple[list[list[str]], list[tuple[int, str, str]]]:
    """All rows as cells (header first) with the malformed rows in place, and their lines."""
    rows = [list(frame.columns)]
    listed = []
    inserts = {after: (key, cells) for after, key, cells in bad}
    for i, row in enumerate(frame.iter_rows()):
        rows.append(["" if v is None else str(v) for v in row])
        if i in inserts:
            key, cells = inserts[i]
            rows.append(cells)
            listed.append((len(rows), key, cells[frame.columns.index("Personnummer")]))
    return rows, listed


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    """XLSX with fixed timestamps inside and on the zip entries (reproducible bytes)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Pascal"
    for row in rows:
        sheet.append(row)
    raw = io.BytesIO()
    book.save(raw)
    fixed = "2025-11-03T00:00:00Z"
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{fixed}", text)
                data = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 11, 3, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def expected_findings(pair: SyntheticPair) -> str:
    frame = pair.truth.select(
        "patient_id",
        "kind",
        "severity",
        pl.col("substance").fill_null(""),
        pl.col("cosmic_ids").list.join("|"),
        pl.col("pascal_ids").list.join("|"),
    )
    rows = [frame.columns, *([str(v) for v in row] for row in frame.iter_rows())]
    return "\n".join(_csv_line(r) for r in rows) + "\n"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


def readme(pair: SyntheticPair, listed: dict[str, list[tuple[int, str, str]]]) -> str:
    assert pair.plan_truth is not None
    truth = pair.plan_truth
    text = (HERE / "README.intro.md").read_text(encoding="utf-8").rstrip("\n").split("\n")
    text += ["", "## Patients and planted cases", ""]
    base = 0
    for patient in PATIENTS:
        name = f"{patient.first} {patient.last}"
        canonical = patient_ids(patient)[0]
        text.append(f"### {name} ({canonical}), {patient.unit}")
        if name in PATIENT_NOTES:
            text.append("")
            text.append(f"{name} {PATIENT_NOTES[name]}")
        rows = []
        if patient.missing:
            found = truth.filter(
                pl.col("patient_id") == canonical, pl.col("kind") == "patient_missing"
            )
            for f in found.iter_rows(named=True):
                ids = "|".join(f["cosmic_ids"] + f["pascal_ids"])
                rows.append(
                    ["hela patienten", "se ovan", f["kind"], SEVERITY_SV[f["severity"]], ids]
                )
        for line in patient.lines:
            found = truth.filter(pl.col("base") == base)
            base += 1
            if found.is_empty() and not line.note:
                continue
            drug = line.drug.replace("_", " ")
            if found.is_empty():
                rows.append([drug, line.note, "ingen avvikelse", "–", ""])
            for f in found.iter_rows(named=True):
                ids = ", ".join(
                    x for x in ("|".join(f["cosmic_ids"]), "|".join(f["pascal_ids"])) if x
                )
                rows.append([f["substance"], line.note, f["kind"], SEVERITY_SV[f["severity"]], ids])
        text.append("")
        if rows:
            text += _md_table(
                ["läkemedel", "vad som skiljer", "kind", "allvarlighet", "rader"], rows
            )
        else:
            text.append("Inga planterade avvikelser: listorna stämmer (skrivna olika).")
        text.append("")
    text += ["## Malformed rows (expected to be rejected)", ""]
    rows = [
        [file, str(line), MALFORMED_NOTES[key]]
        for file, items in listed.items()
        for line, key, _ in items
    ]
    text += _md_table(["fil", "rad", "förväntad orsak"], rows)
    text += [
        "",
        "Line numbers count the header as line 1. Every malformed row is a copy of one of the",
        "patient's lines marked as ended, so it could never create a finding even if read.",
        "",
        "Each of these rows marks a patient as incompletely loaded, with the reason: the rows",
        "whose id could be read mark that patient; the two with a wrong check digit (cosmic.csv",
        "line 9, pascal.csv line 127) are one digit off the personnummer of a loaded patient with",
        "the same name (and unit), so they mark Andersson, Karin (19400512-9822) and Berglund,",
        "Olle (19340808-9831). They are never merged into those patients' lists.",
        "",
        "## Substances and product names used",
        "",
    ]
    rows = [
        [
            d.substance,
            d.atc,
            ", ".join(d.products + d.alt_products),
            ", ".join(d.strengths + d.extra_strengths),
        ]
        for d in DRUGS
    ]
    text += _md_table(["substans", "ATC", "produktnamn", "styrkor"], rows)
    kinds = sorted(set(pair.truth["kind"]))
    counts = pair.truth["kind"].value_counts().sort("kind")
    text += ["", "## Findings per kind", ""]
    text += _md_table(["kind", "antal"], [[r[0], str(r[1])] for r in counts.iter_rows()])
    assert len(kinds) == 14, kinds
    assert set(PLAN_KIND)  # the kinds planted by name are those of medrecon.synth.plan
    return "\n".join(text) + "\n"


def main(out: Path) -> None:
    plan, patients = build(PATIENTS)
    pair = render_plan(plan, patients, shuffle=False)
    bad = malformed_rows(pair)
    listed = {}
    for name, frame in (("cosmic", pair.cosmic), ("pascal", pair.pascal)):
        rows, listed[f"{name}.csv"] = export_lines(frame, bad[name])
        write_text(out / f"{name}.csv", "\n".join(_csv_line(r) for r in rows) + "\n")
        if name == "pascal":
            write_xlsx(out / "variants" / "pascal.xlsx", rows)
    write_text(out / "expected_findings.csv", expected_findings(pair))
    # small variants of the Cosmic export for the reading tests: the first three patients
    first = pair.cosmic.head(int((pair.cosmic["Personnummer"].rle_id() < 3).sum()))
    rows, _ = export_lines(first, [])
    write_text(
        out / "variants" / "cosmic_cp1252_comma.csv",
        "\r\n".join(_csv_line(r, ",") for r in rows) + "\r\n",
        encoding="cp1252",
    )
    write_text(
        out / "variants" / "cosmic_bom_tab.txt",
        "\ufeff" + "\n".join("\t".join(r) for r in rows) + "\n",
    )
    renamed = [
        [
            "Preparat" if h == "Läkemedel" else "Doseringsanvisning" if h == "Dosering" else h
            for h in rows[0]
        ]
    ]
    write_text(
        out / "variants" / "cosmic_other_headers.csv",
        "\n".join(_csv_line(r) for r in renamed + rows[1:]) + "\n",
    )
    write_text(
        out / "variants" / "mapping.toml",
        "# Header mapping for cosmic_other_headers.csv (a region whose export names columns\n"
        "# differently). Canonical cosmic-v1 column = the region's header names.\n"
        "[cosmic]\n"
        '"Läkemedel" = ["Preparat"]\n'
        '"Dosering" = ["Doseringsanvisning"]\n',
    )
    write_text(out / "README.md", readme(pair, listed))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)

"""The synthetic generator and the bundled sample exports."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from medrecon.normalise.catalogue import load_catalogue
from medrecon.schema import KINDS
from medrecon.synth import TRUTH_SCHEMA, generate_pair, write_pair
from medrecon.synth import plan as P
from medrecon.synth.dosing import Regimen, all_texts, changed_dose, explicit_texts, rescheduled
from medrecon.synth.drugs import DRUGS, HIGH_RISK
from medrecon.synth.people import FIRST_NAMES_F, luhn_valid, make_patients
from medrecon.synth.plant import severity
from medrecon.synth.scenario import Line, Patient, build
from medrecon.synth.tables import tables

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_exports"

# The column names of the spec layouts (shared/spec/export-formats.md), in order.
COSMIC_SPEC = [
    "Personnummer", "Patient", "Vårdenhet", "OrdinationsID", "Läkemedel", "Substans", "Styrka",
    "Läkemedelsform", "Administreringsväg", "Dosering", "Doseringstyp", "Insättningsdatum",
    "Utsättningsdatum", "Status", "Ordinationstyp", "Dosdispenserad", "ATC", "Förskrivare",
    "Ändamål", "Senast ändrad",
]  # fmt: skip
PASCAL_SPEC = [
    "Personnummer", "Namn", "ReceptID", "Förskrivet läkemedel", "Verksamt ämne", "Styrka",
    "Läkemedelsform", "Administreringssätt", "Användning", "Morgon", "Middag", "Kväll", "Natt",
    "Dispensering", "Vid behov", "Insättningsdatum", "Sista giltighetsdag", "Utsatt",
    "Förskrivare", "ATC", "NPL-id", "Behandlingsorsak", "Ändrad",
]  # fmt: skip


@pytest.fixture(scope="module")
def pair500():
    return generate_pair(500, 11)


def _id_ok(text: str) -> bool:
    """A written id is a reserve number or carries a valid Luhn check digit."""
    if re.fullmatch(r"(19|20)\d{6}S[FUXPL]\d[A-Z0-9]", text):
        return True
    digits = re.sub(r"[-+]", "", text)
    if len(digits) == 12:
        digits = digits[2:]
    return bool(re.fullmatch(r"\d{10}", digits)) and luhn_valid(digits)


def test_luhn_known_numbers():
    assert luhn_valid("8112189876")  # Skatteverket's published example
    assert not luhn_valid("8112189877")


def test_same_seed_same_pair_other_seed_other_pair():
    first, again, other = generate_pair(200, 3), generate_pair(200, 3), generate_pair(200, 4)
    assert first.cosmic.equals(again.cosmic)
    assert first.pascal.equals(again.pascal)
    assert first.truth.equals(again.truth)
    assert not first.cosmic.equals(other.cosmic)


def test_frames_have_exactly_the_spec_columns_all_strings(pair500):
    assert pair500.cosmic.columns == COSMIC_SPEC
    assert pair500.pascal.columns == PASCAL_SPEC
    for frame in (pair500.cosmic, pair500.pascal):
        assert all(dtype == pl.String for dtype in frame.dtypes)
    assert dict(pair500.truth.schema) == TRUTH_SCHEMA


def test_every_personnummer_has_a_valid_check_digit(pair500):
    written = pl.concat([pair500.cosmic["Personnummer"], pair500.pascal["Personnummer"]]).unique()
    bad = [text for text in written if not _id_ok(text)]
    assert bad == []
    # several written forms occur, as in real exports
    assert written.str.contains("-").any() and written.str.contains(r"^\d{12}$").any()


def test_every_person_has_an_id_of_their_own_up_to_250000_patients():
    people = make_patients(np.random.default_rng(5), 250_000, noise=True)
    assert people["patient_id"].n_unique() == people.height
    assert people["cosmic_pnr"].n_unique() == people.height
    assert people["pascal_pnr"].n_unique() == people.height
    born = people["patient_id"].str.slice(0, 4).cast(pl.Int32)
    assert born.min() == 1925 and born.max() == 1950
    digits = people.filter(~pl.col("patient_id").str.contains("S"))
    sample = digits.head(3000)
    assert all(luhn_valid(x[2:]) for x in sample["patient_id"])
    # the whole range of birth numbers is used, and the sex digit follows the first name
    serial = sample["patient_id"].str.slice(8, 3).cast(pl.Int32)
    assert serial.min() < 50 and serial.max() > 950
    female = sample["pascal_name"].str.split(" ").list.first().is_in(list(FIRST_NAMES_F))
    assert ((serial % 2 == 0) == female).all()
    # a few samordningsnummer (day + 60) and reserve numbers
    day = digits["patient_id"].str.slice(6, 2).cast(pl.Int32)
    assert 0 < (day > 60).sum() < people.height * 0.05
    assert 0 < people.height - digits.height < people.height * 0.02
    with pytest.raises(ValueError, match="unique"):
        make_patients(np.random.default_rng(5), 5_000_000, noise=False)


@pytest.fixture(scope="module")
def plan5000():
    return P.draw_plan(np.random.default_rng(3), tables(), 5000, noise=True, plant_rate=0.3)


def test_no_substance_is_drawn_twice_for_a_patient(plan5000):
    """Only planted duplicates may put one substance (or ATC code) twice in a list."""
    tab = tables()
    rx = plan5000.kind != P.NON_PRESCRIPTION
    # the components that count for duplicates (Movicol's salts do not)
    counted = [" + ".join(d.duplicate_substances) or d.substance for d in tab.drugs]
    lines = pl.DataFrame(
        {"patient": plan5000.patient[rx], "template": plan5000.template[rx]}
    ).with_columns(
        substance=pl.lit(pl.Series(counted)).gather(pl.col("template")),
        atc=pl.lit(pl.Series([d.atc for d in tab.drugs])).gather(pl.col("template")),
    )
    parts = lines.with_columns(pl.col("substance").str.split(" + ")).explode(
        "substance", empty_as_null=False
    )
    assert parts.group_by("patient", "substance").len()["len"].max() == 1
    assert lines.group_by("patient", "atc").len()["len"].max() == 1
    # hydroklortiazid alone and inside losartan + hydroklortiazid never meet
    group = dict(zip([d.key for d in tab.drugs], tab.arrays["t_group"], strict=True))
    assert group["hydroklortiazid"] == group["losartan_hct"] == group["enalapril"]


def test_planted_dispensing_differences_have_both_sides_known(plan5000):
    dispensing = plan5000.kind == P.DISPENSING
    assert dispensing.sum() > 200
    assert not (plan5000.noise[dispensing] & P.NOISE_NO_DISPENSING).any()
    # elsewhere the Cosmic column is still left empty now and then (noise)
    assert (plan5000.noise[~dispensing] & P.NOISE_NO_DISPENSING).any()


def test_planted_dispensing_rows_say_how_they_are_dispensed():
    pair = generate_pair(1500, 21)
    planted = pair.truth.filter(pl.col("kind") == "dispensing")
    assert planted.height > 50
    ids = planted["cosmic_ids"].explode(empty_as_null=False)
    rows = pair.cosmic.filter(pl.col("OrdinationsID").is_in(ids.implode()))
    assert rows.height == planted.height
    assert rows["Dosdispenserad"].null_count() == 0
    assert pair.cosmic["Dosdispenserad"].null_count() > 0  # noise elsewhere


def test_truth_names_substances_as_the_catalogue_does():
    known = load_catalogue().substances
    names = {part for d in DRUGS for part in d.substance.split(" + ")}
    assert names - known == set()
    assert {"kandesartan", "kvetiapin"} <= names


def test_every_kind_is_planted_at_least_twice(pair500):
    counts = dict(pair500.truth["kind"].value_counts().iter_rows())
    assert set(counts) == set(KINDS)
    assert min(counts.values()) >= 2


def test_planted_ids_exist_and_line_ids_are_unique(pair500):
    cosmic_ids = set(pair500.cosmic["OrdinationsID"])
    pascal_ids = set(pair500.pascal["ReceptID"])
    assert len(cosmic_ids) == pair500.cosmic.height
    assert len(pascal_ids) == pair500.pascal.height
    truth = pair500.truth
    assert set(truth["cosmic_ids"].explode(empty_as_null=False)) <= cosmic_ids
    assert set(truth["pascal_ids"].explode(empty_as_null=False)) <= pascal_ids
    # every finding names at least one line, on the side(s) its kind says
    sizes = truth.with_columns(c=pl.col("cosmic_ids").list.len(), p=pl.col("pascal_ids").list.len())
    assert sizes.filter((pl.col("c") + pl.col("p")) == 0).is_empty()
    assert sizes.filter(pl.col("kind") == "missing_in_pascal")["p"].max() == 0
    assert sizes.filter(pl.col("kind") == "missing_in_cosmic")["c"].max() == 0
    assert (
        sizes.filter(pl.col("kind") == "duplicate").select(pl.min_horizontal("c", "p")).max().item()
        == 0
    )
    assert (
        sizes.filter(pl.col("kind") == "duplicate").select(pl.max_horizontal("c", "p")).min().item()
        >= 2
    )


def test_planted_ids_belong_to_the_findings_patient(pair500):
    ids = pair500.cosmic.select(
        pl.col("OrdinationsID").alias("id"),
        pl.col("Personnummer").str.replace_all(r"[-+]", "").alias("written"),
    )
    rows = pair500.truth.select("patient_id", pl.col("cosmic_ids").alias("id")).explode(
        "id", empty_as_null=False
    )
    joined = rows.drop_nulls().join(ids, on="id")
    assert joined.height == rows.drop_nulls().height
    assert (joined["patient_id"].str.slice(2) == joined["written"].str.slice(-10)).all()


def test_patient_missing_means_absent_from_one_export(pair500):
    missing = pair500.truth.filter(pl.col("kind") == "patient_missing")
    assert missing["substance"].null_count() == missing.height
    cosmic_patients = {_canon(x) for x in pair500.cosmic["Personnummer"]}
    pascal_patients = {_canon(x) for x in pair500.pascal["Personnummer"]}
    for row in missing.iter_rows(named=True):
        in_cosmic, in_pascal = (
            row["patient_id"] in cosmic_patients,
            row["patient_id"] in pascal_patients,
        )
        assert in_cosmic != in_pascal
        assert bool(row["cosmic_ids"]) == in_cosmic
    # no other finding for such a patient
    others = pair500.truth.filter(
        pl.col("patient_id").is_in(missing["patient_id"].implode()),
        pl.col("kind") != "patient_missing",
    )
    assert others.is_empty()


def _canon(text: str) -> str:
    text = text.replace("-", "").replace("+", "")
    return text if len(text) == 12 else "19" + text


def test_severities_follow_the_spec(pair500):
    truth = pair500.truth
    assert set(truth["severity"]) <= {"low", "medium", "high"}
    risky = truth.filter(pl.col("substance").is_in(sorted(HIGH_RISK)))
    assert not risky.is_empty() and "low" not in set(risky["severity"])
    assert set(truth.filter(pl.col("kind") == "route")["severity"]) == {"high"}
    assert set(truth.filter(pl.col("kind") == "patient_missing")["severity"]) == {"high"}
    assert severity("missing_in_pascal", True, False) == "medium"
    assert severity("missing_in_cosmic", True, True) == "high"
    assert severity("strength", False, True) == "medium"
    assert severity("dispensing", False, False) == "low"


def test_non_prescription_lines_never_appear_in_findings(pair500):
    others = pair500.cosmic.filter(pl.col("Ordinationstyp") != "Recept")
    assert set(others["Ordinationstyp"]) == {"Rekvisition", "Egenvård"}
    planted = set(pair500.truth["cosmic_ids"].explode(empty_as_null=False))
    assert planted.isdisjoint(set(others["OrdinationsID"]))


def test_without_noise_and_plants_both_exports_say_the_same():
    pair = generate_pair(100, 2, noise=False, plant_rate=0.0)
    assert pair.truth.is_empty()
    assert pair.cosmic.height == pair.pascal.height
    assert (pair.cosmic["Läkemedel"] == pair.pascal["Förskrivet läkemedel"]).all()
    assert (pair.cosmic["Ordinationstyp"] == "Recept").all()


def test_rejects_bad_arguments():
    with pytest.raises(ValueError):
        generate_pair(0, 1)
    with pytest.raises(ValueError):
        generate_pair(10, 1, plant_rate=1.5)


def test_write_pair_writes_semicolon_utf8_owner_only(tmp_path):
    pair = generate_pair(30, 8)
    cosmic, pascal = write_pair(pair, tmp_path / "out")
    assert cosmic.name == "cosmic.csv" and pascal.name == "pascal.csv"
    assert stat.S_IMODE(cosmic.stat().st_mode) == 0o600
    back = pl.read_csv(cosmic, separator=";", infer_schema=False)
    assert back.columns == COSMIC_SPEC
    assert back.fill_null("").equals(pair.cosmic.fill_null(""))
    with pytest.raises(ValueError):
        write_pair(pair, tmp_path / "x", fmt="json")


def test_dosing_texts_only_say_how_often_when_the_times_are_conventional():
    twice = Regimen("daily", "tablett", slots=(1.0, 0.0, 1.0, 0.0))
    assert {"1+0+1+0", "1 tablett morgon och kväll", "1x2"} <= set(all_texts(twice))
    assert "1x2" not in explicit_texts(twice)
    night = Regimen("daily", "tablett", slots=(0.0, 0.0, 0.0, 1.0))
    assert not any("dagligen" in t or "x" in t for t in all_texts(night))
    moved = rescheduled(twice)
    assert moved is not None and sum(moved.slots) == 2 and moved.slots != twice.slots
    more = changed_dose(Regimen("prn", "tablett", prn=(1.0, 2.0, 8.0)))
    assert more is not None and more.prn[2] != 8.0


def test_drug_table_is_consistent():
    keys = [d.key for d in DRUGS]
    assert len(keys) == len(set(keys))
    for drug in DRUGS:
        assert drug.substance == drug.substance.lower()
        assert " + ".join(sorted(drug.substance.split(" + "))) == drug.substance
        assert drug.daily or drug.weekly or drug.prn or drug.special
    assert 50 <= len({d.substance for d in DRUGS}) <= 70


def test_scenarios_reject_what_cannot_be_rendered():
    def one(line: Line) -> list[Patient]:
        return [Patient("Test", "Testsson", "19400101", 980, "Säbo X", [line])]

    with pytest.raises(ValueError, match="strength"):
        build(one(Line("furosemid", "33 mg", "1+0+0+0")))
    with pytest.raises(ValueError, match="pattern"):
        build(one(Line("furosemid", "40 mg", "3+3+3+3")))
    with pytest.raises(ValueError, match="cannot be planted"):
        build(one(Line("furosemid", "40 mg", "1+0+0+0", kind="route")))
    with pytest.raises(ValueError, match="product"):
        build(one(Line("furosemid", "40 mg", "1+0+0+0", cosmic="Alvedon")))
    with pytest.raises(ValueError, match="both sides known"):
        build(
            one(Line("furosemid", "40 mg", "1+0+0+0", kind="dispensing", noise=("no_dispensing",)))
        )
    both = [
        Line("hydroklortiazid", "25 mg", "1+0+0+0"),
        Line("losartan_hct", "50 mg/12,5 mg", "1+0+0+0"),
    ]
    with pytest.raises(ValueError, match="one substance"):
        build([Patient("Test", "Testsson", "19400101", 980, "Säbo X", both)])


# --- the bundled sample exports ------------------------------------------------------------


def _read(path: Path) -> list[list[str]]:
    return [line.split(";") for line in path.read_text(encoding="utf-8").splitlines()]


def test_sample_exports_hold_the_expected_ids():
    cosmic, pascal = _read(SAMPLES / "cosmic.csv"), _read(SAMPLES / "pascal.csv")
    assert cosmic[0] == COSMIC_SPEC and pascal[0] == PASCAL_SPEC
    cosmic_ids = {row[3] for row in cosmic[1:] if len(row) > 3}
    pascal_ids = {row[2] for row in pascal[1:]}
    expected = _read(SAMPLES / "expected_findings.csv")
    assert expected[0] == [
        "patient_id",
        "kind",
        "severity",
        "substance",
        "cosmic_ids",
        "pascal_ids",
    ]
    kinds = [row[1] for row in expected[1:]]
    assert all(kinds.count(kind) >= 2 for kind in KINDS)
    for row in expected[1:]:
        assert set(filter(None, row[4].split("|"))) <= cosmic_ids
        assert set(filter(None, row[5].split("|"))) <= pascal_ids
        assert row[4] or row[5]


def test_sample_exports_are_elderly_patients_with_5_to_14_lines():
    cosmic = pl.read_csv(
        SAMPLES / "cosmic.csv", separator=";", infer_schema=False, truncate_ragged_lines=True
    )
    pascal = pl.read_csv(SAMPLES / "pascal.csv", separator=";", infer_schema=False)
    written = pl.concat([cosmic["Personnummer"], pascal["Personnummer"]])
    patients = {_canon(x) for x in written if _id_ok(x)}
    assert len(patients) >= 25
    assert len(set(cosmic["Vårdenhet"].drop_nulls())) >= 4
    for patient in patients:
        lines = max(
            sum(_canon(x) == patient for x in cosmic["Personnummer"]),
            sum(_canon(x) == patient for x in pascal["Personnummer"]),
        )
        assert 5 <= lines <= 14
        assert 1925 <= int(patient[:4]) <= 1950


def test_readme_lists_each_malformed_row_at_its_line():
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (cosmic|pascal)\.csv \| (\d+) \|", readme, flags=re.MULTILINE)
    assert len(listed) == 6
    for system, number in listed:
        lines = (SAMPLES / f"{system}.csv").read_text(encoding="utf-8").splitlines()
        row = lines[int(number) - 1].split(";")
        width = len(COSMIC_SPEC if system == "cosmic" else PASCAL_SPEC)
        empty_product = system == "cosmic" and len(row) == width and row[4] == ""
        wrong = len(row) != width or not _id_ok(row[0]) or empty_product
        assert wrong or "2024-13-45" in row or "ett par" in row, f"{system}.csv:{number}"
    for name in ("Alvedon", "Paracetamol Teva", "Seloken ZOC", "Madopark", "Calcichew-D3"):
        assert name in readme


def test_samples_load_with_the_adapters_and_reject_exactly_the_listed_rows():
    from adapters import load_exports

    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    listed = {
        (f"{s}.csv", int(n))
        for s, n in re.findall(r"^\| (cosmic|pascal)\.csv \| (\d+) \|", readme, re.M)
    }
    rejected = set()
    for name in ("cosmic.csv", "pascal.csv"):
        result = load_exports([SAMPLES / name])
        rejected |= {(name, line) for line in result.rejected["line"]}
    assert rejected == listed
    xlsx = load_exports([SAMPLES / "variants" / "pascal.xlsx"])
    assert {("pascal.csv", n) for n in xlsx.rejected["line"]} == {
        x for x in listed if x[0] == "pascal.csv"
    }
    mapped = load_exports(
        [SAMPLES / "variants" / "cosmic_other_headers.csv"],
        mapping=SAMPLES / "variants" / "mapping.toml",
    )
    cp1252 = load_exports([SAMPLES / "variants" / "cosmic_cp1252_comma.csv"])
    assert mapped.lines["product_text"].to_list() == cp1252.lines["product_text"].to_list()
    assert "Hemsjukvård Karlstad Norr" in set(cp1252.lines["care_unit"])


def test_make_samples_reproduces_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), str(tmp_path)], check=True)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert made, "the script wrote nothing"
    for relative in made:
        assert (tmp_path / relative).read_bytes() == (SAMPLES / relative).read_bytes(), relative

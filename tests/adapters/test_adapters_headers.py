"""Header matching: variants, built-in aliases, user mapping files, missing columns."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from adapter_fixtures import (
    COSMIC_HEADER,
    KARIN,
    PASCAL_HEADER,
    cosmic_row,
    pascal_row,
    write_csv,
)

from adapters import load_export
from adapters.headers import LAYOUTS, builtin_aliases, header_key
from medrecon.errors import MedreconError, UnusableInputError
from medrecon.rules_path import rules_dir


def renamed(header: list[str], row: dict[str, str], names: dict[str, str]):
    """The header with some columns renamed, and the row keyed by the new names."""
    new_header = [names.get(h, h) for h in header]
    new_row = {names.get(k, k): v for k, v in row.items()}
    return new_header, new_row


@pytest.mark.parametrize(
    "variant",
    [
        "läkemedel",  # lower case
        "LÄKEMEDEL",  # upper case
        "  Läkemedel\t",  # surrounding whitespace
        "Lakemedel",  # diacritics lost
        "LAKEMEDEL ",
        "Preparat",  # built-in alias
        "läkemedelsnamn",  # alias, any case
    ],
)
def test_cosmic_header_variants_find_the_product(tmp_path: Path, variant: str) -> None:
    header, row = renamed(COSMIC_HEADER, cosmic_row(), {"Läkemedel": variant})
    result = load_export(write_csv(tmp_path / "c.csv", header, [row]))
    assert result.lines["product_text"].to_list() == ["Alvedon filmdragerad tablett 500 mg"]
    assert result.files[0].header_mapping["Läkemedel"] == variant


def test_every_header_without_diacritics_and_in_upper_case(tmp_path: Path) -> None:
    for system, header, row in (
        ("cosmic", COSMIC_HEADER, cosmic_row()),
        ("pascal", PASCAL_HEADER, pascal_row()),
    ):
        names = {h: h.upper().replace("Å", "A").replace("Ä", "A").replace("Ö", "O") for h in header}
        new_header, new_row = renamed(header, row, names)
        result = load_export(write_csv(tmp_path / f"{system}.csv", new_header, [new_row]))
        assert result.files[0].ignored_columns == ()
        assert set(result.files[0].header_mapping) == set(header)
        assert result.rejected.height == 0


def test_every_builtin_alias_is_understood(tmp_path: Path) -> None:
    rows = {"cosmic": cosmic_row(), "pascal": pascal_row()}
    headers = {"cosmic": COSMIC_HEADER, "pascal": PASCAL_HEADER}
    checked = 0
    for system, fields in builtin_aliases().items():
        for field, aliases in fields.items():
            for alias in aliases:
                header, row = renamed(headers[system], rows[system], {field: alias})
                path = write_csv(tmp_path / f"{system}.csv", header, [row])
                result = load_export(path, system=system)
                assert result.files[0].header_mapping[field] == alias, (system, field, alias)
                assert result.rejected.height == 0
                checked += 1
    assert checked > 50


def test_builtin_aliases_never_clash_between_fields() -> None:
    for system, fields in builtin_aliases().items():
        owner: dict[str, str] = {header_key(f): f for f in LAYOUTS[system].fields}
        for field, aliases in fields.items():
            for alias in aliases:
                key = header_key(alias)
                assert owner.setdefault(key, field) == field, (system, alias)


def test_aliases_file_only_names_known_fields() -> None:
    raw = tomllib.loads((rules_dir() / "header_aliases.toml").read_text(encoding="utf-8"))
    assert set(raw) == {"cosmic", "pascal"}
    for system, table in raw.items():
        assert set(table) <= set(LAYOUTS[system].fields)


def test_unknown_extra_columns_are_kept_and_reported(tmp_path: Path) -> None:
    header = [*COSMIC_HEADER, "Kommentar", "  ", "Intern kod"]
    row = cosmic_row(Kommentar="ring anhörig", **{"Intern kod": "X1"})
    result = load_export(write_csv(tmp_path / "c.csv", header, [row]))
    assert result.files[0].ignored_columns == ("Kommentar", "Intern kod")
    assert result.lines.height == 1


def test_only_required_columns_is_enough(tmp_path: Path) -> None:
    header = ["Personnummer", "OrdinationsID", "Läkemedel", "Dosering"]
    result = load_export(write_csv(tmp_path / "c.csv", header, [cosmic_row()]))
    line = result.lines.row(0, named=True)
    assert line["patient_id"] == KARIN
    assert line["status"] == "active"
    assert line["order_type"] == "prescription"
    assert line["as_needed"] is None
    assert line["dispensing"] is None


@pytest.mark.parametrize("missing", ["Personnummer", "OrdinationsID", "Läkemedel", "Dosering"])
def test_missing_required_cosmic_column(tmp_path: Path, missing: str) -> None:
    header = [h for h in COSMIC_HEADER if h != missing]
    path = write_csv(tmp_path / "export.csv", header, [cosmic_row()])
    with pytest.raises(UnusableInputError) as err:
        load_export(path, system="cosmic")
    message = err.value.message
    assert message.startswith("Filen export.csv kan inte användas")
    assert f'saknar den obligatoriska kolumnen "{missing}"' in message
    assert '"Patient", "Vårdenhet"' in message  # the headers that were found
    assert err.value.exit_code == 2


def test_pascal_needs_anvandning_or_all_four_time_columns(tmp_path: Path) -> None:
    only_times = [h for h in PASCAL_HEADER if h != "Användning"]
    result = load_export(write_csv(tmp_path / "a.csv", only_times, [pascal_row()]))
    assert result.lines["dose_morning"].to_list() == [2.0]
    only_text = [h for h in PASCAL_HEADER if h not in ("Morgon", "Middag", "Kväll", "Natt")]
    result = load_export(write_csv(tmp_path / "b.csv", only_text, [pascal_row()]))
    assert result.lines["dosing_text"].to_list() == ["2 tabletter 3 gånger dagligen"]
    neither = [h for h in only_times if h != "Natt"]
    with pytest.raises(UnusableInputError) as err:
        load_export(write_csv(tmp_path / "c.csv", neither, [pascal_row()]))
    assert 'kolumnen "Användning" eller tidskolumnerna "Morgon", "Middag", "Kväll", "Natt"' in (
        err.value.message
    )


# --- user mapping files ----------------------------------------------------------------------


def test_mapping_file_maps_a_regions_own_names(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[cosmic]\n"Läkemedel" = ["Handelsnamn"]\n"Dosering" = "Ordinationstext"\n'
        '[pascal]\n"ReceptID" = ["Receptrad"]\n',
        encoding="utf-8",
    )
    header, row = renamed(
        COSMIC_HEADER, cosmic_row(), {"Läkemedel": "HANDELSNAMN", "Dosering": "Ordinationstext"}
    )
    path = write_csv(tmp_path / "c.csv", header, [row])
    with pytest.raises(UnusableInputError, match='"Läkemedel" och "Dosering"'):
        load_export(path)
    result = load_export(path, mapping=mapping)
    assert result.files[0].header_mapping["Läkemedel"] == "HANDELSNAMN"
    assert result.lines["dosing_text"].to_list() == ["2 tabletter 3 gånger dagligen"]
    # The mapping's id column also lets the system be recognised.
    header, row = renamed(PASCAL_HEADER, pascal_row(), {"ReceptID": "Receptrad"})
    pascal = write_csv(tmp_path / "p.csv", header, [row])
    assert load_export(pascal, mapping=mapping).lines["line_id"].to_list() == ["P-1"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[cosmic]\n"Läkemedel" = Preparat\n', "inte giltig TOML (rad 2, kolumn 15)"),
        ('[cosmic]\n"Läkemedel" = ["Preparat"\n', "inte giltig TOML (rad 2, kolumn 26)"),
        ("[cosmic\n", "inte giltig TOML (rad 1, kolumn 8)"),
        ('[apoteket]\n"Läkemedel" = ["x"]\n', "okänd tabell [apoteket]"),
        ('[cosmic]\n"Medicin" = ["x"]\n', '[cosmic] har ett okänt fält "Medicin"'),
        ('[pascal]\n"ReceptID" = 5\n', '[pascal] "ReceptID" ska vara en text eller en lista'),
    ],
)
def test_bad_mapping_file_gives_a_clear_error(tmp_path: Path, content: str, expected: str) -> None:
    mapping = tmp_path / "regionens.toml"
    mapping.write_text(content, encoding="utf-8")
    path = write_csv(tmp_path / "c.csv", COSMIC_HEADER, [cosmic_row()])
    with pytest.raises(MedreconError) as err:
        load_export(path, mapping=mapping)
    assert err.value.message.startswith("Mappningsfilen regionens.toml ")
    assert expected in err.value.message
    assert err.value.exit_code == 2


def test_missing_mapping_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", COSMIC_HEADER, [cosmic_row()])
    with pytest.raises(MedreconError, match="finns inte"):
        load_export(path, mapping=tmp_path / "saknas.toml")

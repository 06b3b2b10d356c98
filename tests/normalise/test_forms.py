"""Form classes, equivalent form texts, abbreviations and routes."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medrecon.normalise.forms import (
    FORM_CLASSES,
    ROUTES,
    classify_form,
    classify_route,
    read_form,
)
from medrecon.rules_path import rules_dir


@pytest.mark.parametrize(
    ("text", "form_class"),
    [
        ("Tablett", "plain_oral_solid"),
        ("Filmdragerad tablett", "plain_oral_solid"),
        ("dragerad tablett", "plain_oral_solid"),
        ("Kapsel, hård", "plain_oral_solid"),
        ("kapsel", "plain_oral_solid"),
        ("Depottablett", "modified_release"),
        ("Tablett med förlängd frisättning", "modified_release"),
        ("Depotkapsel, hård", "modified_release"),
        ("Enterotablett", "enteric"),
        ("Magsaftresistent tablett", "enteric"),
        ("Enterokapsel, hård", "enteric"),
        ("Munsönderfallande tablett", "orodispersible"),
        ("Resoriblett, sublingual", "orodispersible"),
        ("Brustablett", "effervescent"),
        ("Oral lösning", "liquid"),
        ("Orala droppar, lösning", "liquid"),
        ("Mixtur", "liquid"),
        ("Depotplåster", "patch"),
        ("Injektionsvätska, lösning", "injection"),
        ("Injektionsvätska, lösning i förfylld injektionspenna", "injection"),
        ("Inhalationspulver, hård kapsel", "inhalation"),
        ("Inhalationsspray, suspension", "inhalation"),
        ("Ögondroppar, lösning", "eye_drops"),
        ("Örondroppar", "ear_drops"),
        ("Nässpray, suspension", "nasal"),
        ("Kräm", "topical"),
        ("Salva", "topical"),
        ("Suppositorium", "suppository"),
        ("Vagitorium", "suppository"),
        # abbreviations in product texts
        ("T. Alvedon", "plain_oral_solid"),
        ("tabl", "plain_oral_solid"),
        ("dep tabl", "modified_release"),
        ("depottabl", "modified_release"),
        ("enterotabl", "enteric"),
        ("inj", "injection"),
        ("brustabl", "effervescent"),
        ("mixt", "liquid"),
        ("oral lösn", "liquid"),
        ("kaps", "plain_oral_solid"),
        ("supp", "suppository"),
    ],
)
def test_form_texts(text: str, form_class: str) -> None:
    assert classify_form(text) == form_class


@pytest.mark.parametrize("text", [None, "", "  ", "okänd form", "Voltaren", "xyz", "Tx"])
def test_unlisted_forms_are_unknown(text: str | None) -> None:
    assert classify_form(text) == "unknown"


def test_plain_forms_are_equivalent() -> None:
    plain = {"tablett", "filmdragerad tablett", "dragerad tablett", "kapsel, hård", "kapsel"}
    assert {classify_form(t) for t in plain} == {"plain_oral_solid"}


def test_brand_words_imply_a_form_only_when_asked() -> None:
    assert read_form("Seloken ZOC 50 mg").form_class == "unknown"
    assert read_form("Seloken ZOC 50 mg", implied_by_name=True).form_class == "modified_release"
    assert read_form("Haldol Depot", implied_by_name=True).form_class == "injection"
    assert read_form("Xanor Depot", implied_by_name=True).form_class == "modified_release"


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("Oral", "oral"),
        ("Oral användning", "oral"),
        ("Subkutan", "subcutaneous"),
        ("s.c.", "subcutaneous"),
        ("Intramuskulär användning", "intramuscular"),
        ("Intravenös", "intravenous"),
        ("Transdermal", "transdermal"),
        ("Inhalation", "inhalation"),
        ("Rektal", "rectal"),
        ("Vaginal användning", "vaginal"),
        ("I ögat", "ocular"),
        ("Okulär användning", "ocular"),
        ("I örat", "otic"),
        ("Nasal", "nasal"),
        ("Kutan", "cutaneous"),
        ("Sublingual", "sublingual"),
        ("Buckal användning", "sublingual"),
    ],
)
def test_route_texts(text: str, route: str) -> None:
    assert classify_route(text) == route


@pytest.mark.parametrize("text", [None, "", "Via sond", "okänt", "123"])
def test_unknown_routes_are_not_guessed(text: str | None) -> None:
    assert classify_route(text) is None


def test_forms_imply_routes() -> None:
    assert read_form("Depotplåster").route == "transdermal"
    assert read_form("Tablett").route == "oral"
    assert read_form("Vagitorium").route == "vaginal"
    assert read_form("Resoriblett, sublingual").route == "sublingual"
    assert read_form("Injektionsvätska, lösning").route is None  # sc, im or iv: not guessed


def test_rule_files_only_use_known_codes() -> None:
    forms = tomllib.loads((rules_dir() / "forms.toml").read_text(encoding="utf-8"))
    routes = tomllib.loads((rules_dir() / "routes.toml").read_text(encoding="utf-8"))
    assert set(forms["classes"]) | {"unknown"} == set(FORM_CLASSES)
    assert set(routes["routes"]) == set(ROUTES)
    for spec in forms["classes"].values():
        assert spec["route"] in (*ROUTES, "")
    assert set(forms["route_by_text"].values()) <= set(ROUTES)
    assert set(forms["implied_by_name"].values()) <= set(FORM_CLASSES)
    texts = [t for spec in forms["classes"].values() for t in spec["texts"]]
    assert len(texts) == len(set(texts)), "a form text is listed in two classes"


@given(st.text(max_size=80))
def test_form_and_route_never_raise(text: str) -> None:
    assert read_form(text, implied_by_name=True).form_class in FORM_CLASSES
    assert classify_route(text) in (*ROUTES, None)


@pytest.mark.parametrize("text", ["T Waran 2,5 mg", "Voltaren T", "Simvastatin 20 mg tbl"])
def test_tablet_abbreviations_in_product_texts(text: str) -> None:
    assert read_form(text).form_class == "plain_oral_solid"

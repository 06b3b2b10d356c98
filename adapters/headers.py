"""Header matching: which column of a file holds which field of a layout.

A header matches a field when both are equal after ignoring case and surrounding
whitespace, with å/ä/ö also accepted as a/a/o. Each field is looked for under its own
name, then the built-in aliases in ``rules/header_aliases.toml``, then the names in the
user's mapping file. Unknown columns are kept and ignored (and reported); a missing
required column makes the file unusable, with a message that lists what was found.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from medrecon.errors import MedreconError, UnusableInputError
from medrecon.rules_path import rules_dir
from medrecon.schema import COSMIC, PASCAL, SYSTEM_LABEL

ALIASES_FILE = "header_aliases.toml"
PASCAL_TIME_FIELDS = ("Morgon", "Middag", "Kväll", "Natt")


@dataclass(frozen=True)
class Layout:
    """One export layout of one system, in the words of the export spec."""

    system: str
    name: str
    fields: tuple[str, ...]  # column names as the spec writes them
    required: tuple[str, ...]
    id_field: str  # the line id column, which also tells the systems apart


LAYOUTS: dict[str, Layout] = {
    COSMIC: Layout(
        system=COSMIC,
        name="cosmic-v1",
        fields=(
            "Personnummer",
            "Patient",
            "Vårdenhet",
            "OrdinationsID",
            "Läkemedel",
            "Substans",
            "Styrka",
            "Läkemedelsform",
            "Administreringsväg",
            "Dosering",
            "Doseringstyp",
            "Insättningsdatum",
            "Utsättningsdatum",
            "Status",
            "Ordinationstyp",
            "Dosdispenserad",
            "ATC",
            "Förskrivare",
            "Ändamål",
            "Senast ändrad",
        ),
        required=("Personnummer", "OrdinationsID", "Läkemedel", "Dosering"),
        id_field="OrdinationsID",
    ),
    PASCAL: Layout(
        system=PASCAL,
        name="pascal-v1",
        fields=(
            "Personnummer",
            "Namn",
            "ReceptID",
            "Förskrivet läkemedel",
            "Verksamt ämne",
            "Styrka",
            "Läkemedelsform",
            "Administreringssätt",
            "Användning",
            *PASCAL_TIME_FIELDS,
            "Dispensering",
            "Vid behov",
            "Insättningsdatum",
            "Sista giltighetsdag",
            "Utsatt",
            "Förskrivare",
            "ATC",
            "NPL-id",
            "Behandlingsorsak",
            "Ändrad",
        ),
        # Plus "Användning" or all four time columns, checked in match_headers.
        required=("Personnummer", "ReceptID", "Förskrivet läkemedel"),
        id_field="ReceptID",
    ),
}

Aliases = dict[str, dict[str, list[str]]]  # system -> field -> other header names


@dataclass(frozen=True)
class HeaderMatch:
    layout: Layout
    columns: dict[str, int]  # field -> column index in the file
    mapping: dict[str, str]  # field -> header as written in the file
    ignored: tuple[str, ...]  # headers that match no field


def header_key(text: str) -> str:
    """The form in which headers are compared."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("å", "a").replace("ä", "a").replace("ö", "o")
    return re.sub(r"\s+", " ", text).strip()


@cache
def builtin_aliases() -> Aliases:
    return _parse_aliases(rules_dir() / ALIASES_FILE, builtin=True)


def load_mapping(path: Path | None) -> Aliases:
    """Read a user mapping file; ``None`` means no mapping (an empty one)."""
    if path is None:
        return {}
    return _parse_aliases(Path(path), builtin=False)


def _mapping_error(path: Path, problem: str) -> MedreconError:
    return MedreconError(
        f"Mappningsfilen {path.name} kan inte användas: {problem}", title="Fel i mappningsfil"
    )


def _parse_aliases(path: Path, *, builtin: bool) -> Aliases:
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _mapping_error(path, "filen finns inte.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _mapping_error(path, "filen gick inte att läsa som UTF-8-text.") from exc
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        place = f" (rad {where.group(1)}, kolumn {where.group(2)})" if where else ""
        detail = re.sub(r"\s*\(at .*\)$", "", str(exc))
        raise _mapping_error(
            path, f"den är inte giltig TOML{place}. Tekniskt fel: {detail}."
        ) from exc
    result: Aliases = {}
    problems: list[str] = []
    for system, table in raw.items():
        layout = LAYOUTS.get(system)
        if layout is None or not isinstance(table, dict):
            problems.append(f"okänd tabell [{system}] (tillåtna: [cosmic] och [pascal])")
            continue
        by_key = {header_key(f): f for f in layout.fields}
        fields: dict[str, list[str]] = {}
        for field, names in table.items():
            canonical = by_key.get(header_key(field))
            if canonical is None:
                problems.append(f'[{system}] har ett okänt fält "{field}"')
                continue
            if isinstance(names, str):
                names = [names]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                problems.append(f'[{system}] "{field}" ska vara en text eller en lista med texter')
                continue
            fields.setdefault(canonical, []).extend(names)
        result[system] = fields
    if problems:
        if builtin:  # a broken rules file is a packaging error, not a user's mistake
            raise RuntimeError(f"{path}: " + "; ".join(problems))
        known = "; ".join(problems)
        raise _mapping_error(path, f"{known}. Fälten heter som i exportspecifikationen.")
    return result


def _candidates(layout: Layout, mapping: Aliases) -> dict[str, list[str]]:
    """Header keys accepted for each field, in order of preference."""
    builtin = builtin_aliases().get(layout.system, {})
    user = mapping.get(layout.system, {})
    return {
        field: [header_key(n) for n in [field, *builtin.get(field, []), *user.get(field, [])]]
        for field in layout.fields
    }


def match_headers(
    headers: list[str], layout: Layout, mapping: Aliases, *, path: Path
) -> HeaderMatch:
    """Assign columns to fields; raises ``UnusableInputError`` when a required one is missing."""
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        positions.setdefault(header_key(header), index)  # a repeated header: the first wins
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for field, keys in _candidates(layout, mapping).items():
        for key in keys:
            found = positions.get(key)
            if found is not None and found not in taken:
                columns[field] = found
                taken.add(found)
                break
    missing = [f for f in layout.required if f not in columns]
    if layout.system == PASCAL and "Användning" not in columns:
        absent_times = [f for f in PASCAL_TIME_FIELDS if f not in columns]
        if absent_times:
            missing.append(
                '"Användning" eller tidskolumnerna '
                + ", ".join(f'"{f}"' for f in PASCAL_TIME_FIELDS)
            )
    if missing:
        names = ", ".join(m if m.startswith('"') else f'"{m}"' for m in missing)
        shown = ", ".join(f'"{h}"' for h in headers if h.strip()) or "(inga)"
        word = "kolumnen" if len(missing) == 1 else "kolumnerna"
        raise UnusableInputError(
            f"Filen {path.name} kan inte användas: den saknar den obligatoriska {word} {names} "
            f"för {SYSTEM_LABEL[layout.system]} ({layout.name}). Rubriker i filen: {shown}. "
            "Byt namn på kolumnen i exporten eller ange namnet i en mappningsfil (--mapping).",
            title="Kolumn saknas",
        )
    ignored = tuple(h for i, h in enumerate(headers) if i not in taken and h.strip())
    return HeaderMatch(
        layout=layout,
        columns=columns,
        mapping={field: headers[i] for field, i in columns.items()},
        ignored=ignored,
    )


def detect_layout(headers: list[str], mapping: Aliases, *, path: Path) -> Layout:
    """The layout whose line id column is among the headers."""
    present = {header_key(h) for h in headers}
    found = [
        layout
        for layout in LAYOUTS.values()
        if present.intersection(_candidates(layout, mapping)[layout.id_field])
    ]
    if len(found) == 1:
        return found[0]
    shown = ", ".join(f'"{h}"' for h in headers if h.strip()) or "(inga)"
    if not found:
        problem = (
            "det går inte att avgöra om den kommer från Cosmic eller Pascal: den har varken "
            f'kolumnen "OrdinationsID" (Cosmic) eller "ReceptID" (Pascal). Rubriker i filen: '
            f"{shown}. Ange systemet med --system eller namnen i en mappningsfil (--mapping)."
        )
    else:
        problem = (
            'den har både en Cosmic-kolumn ("OrdinationsID") och en Pascal-kolumn '
            '("ReceptID"). Ange systemet med --system.'
        )
    raise UnusableInputError(f"Filen {path.name} kan inte användas: {problem}", title="Okänd fil")

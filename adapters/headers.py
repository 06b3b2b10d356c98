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
from medrecon.logsetup import mask_ids
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


def _read_toml(path: Path, *, builtin: bool) -> dict[str, Any]:
    """The parsed file; a Swedish message naming the file for each way it can be unusable."""
    title = "Fel i mappningsfil"
    if path.is_dir():
        raise MedreconError(
            f"Mappningsfilen {path.name} är en mapp, inte en fil. Ange sökvägen till "
            "mappningsfilen (.toml) i mappen.",
            title=title,
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise MedreconError(
            f"Mappningsfilen {path.name} finns inte (sökväg: {path}).", title=title
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _mapping_error(path, "filen gick inte att läsa som UTF-8-text.") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if builtin:
            raise
        line, column = toml_error_position(exc, text)
        hint = "Kontrollera citattecken och hakparenteser där."
        if _unquoted_non_ascii_key(text, line):
            hint += ' Fältnamn med å, ä eller ö ska stå inom citattecken: "Läkemedel" = ["..."].'
        raise MedreconError(
            f"Mappningsfilen {path.name} är inte giltig TOML (rad {line}, kolumn {column}). "
            + hint,
            title=title,
        ) from exc


def toml_error_position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int, int]:
    """1-based line and column of a TOML error.

    Python 3.11's error carries them only in its message, "(at line N, column M)", or
    says "(at end of document)": then the place is just after the file's last content,
    where the missing "]" or quote belongs.
    """
    lineno, colno = getattr(exc, "lineno", None), getattr(exc, "colno", None)  # 3.14+
    if isinstance(lineno, int) and isinstance(colno, int) and "end of document" not in str(exc):
        return lineno, colno
    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    if found:
        return int(found.group(1)), int(found.group(2))
    content = text.rstrip()
    last_line = content.rsplit("\n", 1)[-1]
    return content.count("\n") + 1, len(last_line) + 1


def _unquoted_non_ascii_key(text: str, line: int) -> bool:
    """Whether the line is a key = value whose bare key holds å, ä, ö (not allowed in TOML)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return False
    key = lines[line - 1].split("=", 1)[0].strip()
    return bool(key) and key[0] not in "\"'[#" and not key.isascii()


def _parse_aliases(path: Path, *, builtin: bool) -> Aliases:
    raw = _read_toml(path, builtin=builtin)
    result: Aliases = {}
    problems: list[str] = []
    for system, table in raw.items():
        layout = LAYOUTS.get(system)
        if layout is None or not isinstance(table, dict):
            what = f"tabell [{system}]" if isinstance(table, dict) else f'nyckel "{system}"'
            problems.append(f"okänd {what} (tillåtna tabeller: [cosmic] och [pascal])")
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


def _assign(
    headers: list[str], layout: Layout, mapping: Aliases
) -> tuple[dict[str, int], list[str]]:
    """Column index per field found, and the required fields (or field groups) missing."""
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
    missing = [f'"{f}"' for f in layout.required if f not in columns]
    no_times = any(f not in columns for f in PASCAL_TIME_FIELDS)
    if layout.system == PASCAL and "Användning" not in columns and no_times:
        times = ", ".join(f'"{f}"' for f in PASCAL_TIME_FIELDS)
        missing.append(f'"Användning" eller tidskolumnerna {times}')
    return columns, missing


_DATA_CELL = re.compile(r"\d{4}-\d{2}-\d{2}|^\s*\d+([.,]\d+)?\s*$")
HEADERLESS = (
    "den första raden ser ut att vara en datarad (den innehåller personnummer, datum eller "
    "tal), inte en rubrikrad. Exporten ska börja med en rad med kolumnernas namn"
)


def looks_like_data(headers: list[str]) -> bool:
    """Whether a "header row" is really a data row (an export without its header)."""
    return any(h.strip() and (mask_ids(h) != h or _DATA_CELL.search(h)) for h in headers)


def shown_headers(headers: list[str]) -> str:
    """The header cells for a message (never called for a data row, see ``looks_like_data``)."""
    return ", ".join(f'"{mask_ids(h)}"' for h in headers if h.strip()) or "(inga)"


def _swedish_list(items: list[str]) -> str:
    """Items joined the Swedish way: 'a, b och c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def match_headers(
    headers: list[str], layout: Layout, mapping: Aliases, *, path: Path
) -> HeaderMatch:
    """Assign columns to fields; raises ``UnusableInputError`` when a required one is missing."""
    columns, missing = _assign(headers, layout, mapping)
    if missing:
        if looks_like_data(headers):
            raise UnusableInputError(
                f"Filen {path.name} kan inte användas: {HEADERLESS}.", title="Rubriker saknas"
            )
        for other in LAYOUTS.values():
            if other is not layout and not _assign(headers, other, mapping)[1]:
                # The file is a complete export of the other system: the files were most
                # likely given in the wrong order, which a list of columns would hide.
                raise UnusableInputError(
                    f"Filen {path.name} ser ut att vara en {SYSTEM_LABEL[other.system]}-export, "
                    f"men den angavs som {SYSTEM_LABEL[layout.system]}. Har filerna bytt plats?",
                    title="Fel system",
                )
        shown = shown_headers(headers)
        what = "den obligatoriska kolumnen" if len(missing) == 1 else "de obligatoriska kolumnerna"
        rename, names = ("kolumnen", "namnet") if len(missing) == 1 else ("kolumnerna", "namnen")
        raise UnusableInputError(
            f"Filen {path.name} kan inte användas: den saknar {what} {_swedish_list(missing)} "
            f"för {SYSTEM_LABEL[layout.system]} ({layout.name}). Rubriker i filen: {shown}. "
            f"Byt namn på {rename} i exporten eller ange {names} i en mappningsfil (--mapping).",
            title="Kolumn saknas",
        )
    taken = set(columns.values())
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
    shown = shown_headers(headers)
    if not found and looks_like_data(headers):
        problem = HEADERLESS + "."
    elif not found:
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


def layout_of(headers: list[str], mapping: Aliases, system: str | None = None) -> Layout | None:
    """The layout (of ``system``, if given) whose required columns are all among the
    headers; None when no layout fits. Used to pick a workbook's export sheet."""
    for layout in LAYOUTS.values():
        if system is not None and layout.system != system:
            continue
        if not _assign(headers, layout, mapping)[1]:
            return layout
    return None

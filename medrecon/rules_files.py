"""Reading the TOML files in ``rules/`` strictly: every key must be one the reader knows.

A pharmacist who misspells a section or a key ("[maximun]", "treshold") must be told so,
with the file, the key and its line, instead of the rule being silently ignored. Each
loader declares the shape it reads (``TomlShape``) and calls ``read_rules_toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medrecon.errors import MedreconError

RULES_ERROR_TITLE = "Fel i regelfil"


@dataclass(frozen=True)
class TomlShape:
    """The sections a rules file may have and the keys each may hold.

    ``sections`` maps a section name to its allowed keys, or to None when the keys are
    names the pharmacist chooses (units, markers, weekdays). ``required`` sections must be
    present. ``open_sections`` is for files whose top-level names are free (a table of
    classes): then only the keys inside each are checked, against ``sections["*"]``.
    """

    sections: Mapping[str, frozenset[str] | None]
    required: frozenset[str] = field(default_factory=frozenset)
    open_sections: bool = False
    # top-level keys that hold a value, not a section (``fuzzy_threshold = 88``)
    values: frozenset[str] = field(default_factory=frozenset)


def rules_error(path: Path, what: str, line: int | None = None) -> MedreconError:
    where = f"{path.name}, rad {line}" if line else path.name
    return MedreconError(f"Regelfilen {where}: {what}", title=RULES_ERROR_TITLE)


def line_of(text: str, key: str, section: str | None = None) -> int | None:
    """The line (1-based) where ``key`` is defined, inside ``[section]`` when given."""
    in_section = section is None
    key_pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    header = re.compile(r"^\s*\[+\s*\"?([^\]\"]+)\"?\s*\]+")
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found:
            name = found.group(1).strip()
            if section is None and name == key:
                return number
            in_section = section is not None and name == section
            continue
        if in_section and key_pattern.match(line):
            return number
    return None


def parse_rules_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed file and its text; a syntax error names the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise rules_error(path, f"kunde inte läsas ({type(exc).__name__}).") from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise rules_error(path, f"är inte giltig TOML: {exc}") from exc


def check_shape(path: Path, data: Mapping[str, Any], text: str, shape: TomlShape) -> None:
    """Raise a ``MedreconError`` naming the first unknown section or key, with its line."""
    for name in sorted(shape.required - set(data)):
        raise rules_error(path, f"avsnittet [{name}] saknas.")
    for name, value in data.items():
        allowed: frozenset[str] | None
        if name in shape.values:
            if isinstance(value, Mapping):
                raise rules_error(path, f"'{name}' ska vara ett värde, inte ett avsnitt.")
            continue
        if shape.open_sections:
            allowed = shape.sections.get("*")
        elif name not in shape.sections:
            if not isinstance(value, Mapping | list):
                known = ", ".join(sorted(shape.values)) or "inga"
                raise rules_error(
                    path, f"okänd nyckel '{name}' (kända: {known}).", line_of(text, name)
                )
            known = ", ".join(sorted(shape.sections))
            raise rules_error(
                path, f"okänt avsnitt [{name}] (kända: {known}).", line_of(text, name)
            )
        else:
            allowed = shape.sections[name]
        if allowed is None:
            continue
        # ``[[name]]`` (an array of tables) is checked entry by entry.
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise rules_error(path, f"[{name}] ska vara ett avsnitt.", line_of(text, name))
            for key in entry:
                if key not in allowed:
                    known = ", ".join(sorted(allowed))
                    raise rules_error(
                        path,
                        f"okänd nyckel '{key}' i [{name}] (kända: {known}).",
                        line_of(text, key, name),
                    )


def check_entries(
    path: Path, text: str, section: str, entries: Mapping[str, Any], allowed: frozenset[str]
) -> None:
    """Each named entry of ``[section.<name>]`` may only hold ``allowed`` keys."""
    known = ", ".join(sorted(allowed))
    for name, entry in entries.items():
        if not isinstance(entry, Mapping):
            raise rules_error(
                path,
                f"[{section}.{name}] ska vara ett avsnitt.",
                line_of(text, f"{section}.{name}"),
            )
        for key in entry:
            if key not in allowed:
                raise rules_error(
                    path,
                    f"okänd nyckel '{key}' i [{section}.{name}] (kända: {known}).",
                    line_of(text, key, f"{section}.{name}"),
                )


def read_rules_toml_entries(
    path: Path, shape: TomlShape, nested: Mapping[str, frozenset[str]]
) -> dict[str, Any]:
    """``read_rules_toml`` for files whose sections hold named entries
    (``[classes.tablet]``): ``nested`` gives each such section's allowed entry keys."""
    data, text = parse_rules_toml(path)
    check_shape(path, data, text, shape)
    for section, allowed in nested.items():
        check_entries(path, text, section, data.get(section, {}), allowed)
    return data


def read_rules_toml(path: Path, shape: TomlShape) -> dict[str, Any]:
    """Parse a rules file and check it against ``shape``; errors are Swedish and exact."""
    data, text = parse_rules_toml(path)
    check_shape(path, data, text, shape)
    return data

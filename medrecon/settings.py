"""The user's settings: ``~/.config/medrecon/config.toml`` and ``MEDRECON_*`` variables.

A variable wins over the file. The file may hold only the keys below; a misspelt key is
an error that names it (a silently ignored ``hsa-id`` would record decisions without
the HSA-id the user thinks is configured).

```toml
db = "postgresql+psycopg://medrecon@db.region.se/medrecon"   # or a file path
audit_key = "/etc/medrecon/granskning.key"   # the key that signs the audit log
hsa_id = "SE2321000016-ABC1"                 # the user's HSA-id, recorded with decisions
role = "sjuksköterska"                       # sjuksköterska | farmaceut | läkare
```
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_dir

from medrecon.errors import MedreconError

ROLES = ("sjuksköterska", "farmaceut", "läkare")
# An HSA-id: country code, the organisation number and a local part (Inera's format).
HSA_ID = re.compile(r"SE\d{10}-[0-9A-Za-z]{1,31}")

# key in config.toml -> environment variable that overrides it
KEYS = {
    "db": "MEDRECON_DB",
    "audit_key": "MEDRECON_AUDIT_KEY",
    "hsa_id": "MEDRECON_HSA_ID",
    "role": "MEDRECON_ROLE",
}


def config_file() -> Path:
    return Path(user_config_dir("medrecon")) / "config.toml"


@dataclass(frozen=True)
class Settings:
    db: str | None  # a file path or a database URL, as written
    audit_key: Path | None
    hsa_id: str | None
    role: str | None
    db_base: Path | None  # folder a relative ``db`` path is relative to (None: the cwd)


def _read_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MedreconError(f"Inställningsfilen {path} går inte att läsa: {exc}") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise MedreconError(
            f"Inställningsfilen {path} har okända nycklar: {', '.join(unknown)}. "
            f"Giltiga nycklar: {', '.join(KEYS)}."
        )
    values: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():  # a number, a table, ""
            raise MedreconError(
                f'I {path} ska {key} vara en text inom citattecken, t.ex. {key} = "…".'
            )
        values[key] = value.strip()
    return values


def load_settings() -> Settings:
    """The settings in force now (file, then variables on top), checked."""
    path = config_file()
    values = _read_file(path)
    db_base: Path | None = path.parent  # a path in the file is relative to the file
    for key, variable in KEYS.items():
        env = os.environ.get(variable, "").strip()
        if env:
            values[key] = env
            if key == "db":
                db_base = None
    role = values.get("role")
    if role is not None and role.lower() not in ROLES:
        raise MedreconError(
            f"Okänd roll ”{role}” (role i {path} eller MEDRECON_ROLE). "
            f"Giltiga roller: {', '.join(ROLES)}."
        )
    hsa_id = values.get("hsa_id")
    if hsa_id is not None and not HSA_ID.fullmatch(hsa_id):
        raise MedreconError(
            f"”{hsa_id}” är inget HSA-id (hsa_id i {path} eller MEDRECON_HSA_ID); "
            "ett HSA-id ser ut som SE2321000016-ABC1."
        )
    key_text = values.get("audit_key")
    key_path = None
    if key_text is not None:
        key_path = Path(key_text).expanduser()
        if not key_path.is_absolute():
            key_path = path.parent / key_path
    return Settings(
        db=values.get("db"),
        audit_key=key_path,
        hsa_id=hsa_id,
        role=role.lower() if role else None,
        db_base=db_base,
    )

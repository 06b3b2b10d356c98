"""Small inline exports for the adapter tests, written into pytest's tmp_path."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def luhn_digit(nine: str) -> str:
    """The check digit that makes ``nine`` + digit pass the Luhn check."""
    total = 0
    for pos, ch in enumerate(nine):
        d = int(ch) * (2 if pos % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def pnr(date8: str, serial3: str = "123") -> str:
    """A valid 12-digit personnummer for a birth date ``YYYYMMDD``."""
    return date8 + serial3 + luhn_digit(date8[2:] + serial3)


KARIN = pnr("19400512")  # 194005121233
OLLE = pnr("19310203", "456")

COSMIC_HEADER = [
    "Personnummer", "Patient", "Vårdenhet", "OrdinationsID", "Läkemedel", "Substans",
    "Styrka", "Läkemedelsform", "Administreringsväg", "Dosering", "Doseringstyp",
    "Insättningsdatum", "Utsättningsdatum", "Status", "Ordinationstyp", "Dosdispenserad",
    "ATC", "Förskrivare", "Ändamål", "Senast ändrad",
]  # fmt: skip

PASCAL_HEADER = [
    "Personnummer", "Namn", "ReceptID", "Förskrivet läkemedel", "Verksamt ämne", "Styrka",
    "Läkemedelsform", "Administreringssätt", "Användning", "Morgon", "Middag", "Kväll",
    "Natt", "Dispensering", "Vid behov", "Insättningsdatum", "Sista giltighetsdag",
    "Utsatt", "Förskrivare", "ATC", "NPL-id", "Behandlingsorsak", "Ändrad",
]  # fmt: skip


def cosmic_row(**values: str) -> dict[str, str]:
    row = {
        "Personnummer": KARIN,
        "Patient": "Andersson, Karin",
        "Vårdenhet": "Hemsjukvård Karlstad Norr",
        "OrdinationsID": "C-1",
        "Läkemedel": "Alvedon filmdragerad tablett 500 mg",
        "Substans": "Paracetamol",
        "Styrka": "500 mg",
        "Läkemedelsform": "Filmdragerad tablett",
        "Administreringsväg": "Oral",
        "Dosering": "2 tabletter 3 gånger dagligen",
        "Doseringstyp": "Stående",
        "Insättningsdatum": "2024-03-01",
        "Utsättningsdatum": "",
        "Status": "Aktiv",
        "Ordinationstyp": "Recept",
        "Dosdispenserad": "Ja",
        "ATC": "N02BE01",
        "Förskrivare": "Lena Berg",
        "Ändamål": "mot smärta",
        "Senast ändrad": "2025-10-02 14:31",
    }
    row.update(values)
    return row


def pascal_row(**values: str) -> dict[str, str]:
    row = {
        "Personnummer": KARIN,
        "Namn": "Karin Andersson",
        "ReceptID": "P-1",
        "Förskrivet läkemedel": "Paracetamol Teva filmdragerad tablett 500 mg",
        "Verksamt ämne": "Paracetamol",
        "Styrka": "500 mg",
        "Läkemedelsform": "Filmdragerad tablett",
        "Administreringssätt": "Oral",
        "Användning": "2 tabletter 3 gånger dagligen",
        "Morgon": "2",
        "Middag": "2",
        "Kväll": "2",
        "Natt": "",
        "Dispensering": "Dosdispenserad",
        "Vid behov": "Nej",
        "Insättningsdatum": "2024-03-01",
        "Sista giltighetsdag": "2026-02-28",
        "Utsatt": "",
        "Förskrivare": "Lena Berg",
        "ATC": "N02BE01",
        "NPL-id": "19750101000019",
        "Behandlingsorsak": "Smärta",
        "Ändrad": "2025-09-30 09:12",
    }
    row.update(values)
    return row


def csv_text(header: Sequence[str], rows: Sequence[dict[str, str]], sep: str = ";") -> str:
    """A CSV text; a value holding the separator, a quote or a newline is quoted."""

    def quote(value: str) -> str:
        if any(ch in value for ch in (sep, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [sep.join(quote(h) for h in header)]
    lines += [sep.join(quote(row.get(h, "")) for h in header) for row in rows]
    return "\n".join(lines) + "\n"


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[dict[str, str]],
    *,
    sep: str = ";",
    encoding: str = "utf-8",
) -> Path:
    path.write_bytes(csv_text(header, rows, sep).encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """An .xlsx whose first sheet holds ``rows`` (row 1 = header) with native cell types."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path

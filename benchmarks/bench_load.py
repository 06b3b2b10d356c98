"""How fast the adapters load big exports: 1,000,000-line Cosmic and Pascal CSV files.

Run: ``.venv/bin/python benchmarks/bench_load.py [--lines N]``. The files are fictional
(valid personnummer, made-up products) and are written to a temporary folder that is
removed afterwards. Prints file size, load time and lines per second for each system.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
from adapters import load_exports

LINES_PER_PATIENT = 10


def _personnummer(count: int) -> list[str]:
    """Distinct fictional personnummer with valid check digits (born 1920-1950)."""
    ids = []
    for i in range(count):
        born = date(1920, 1, 1) + timedelta(days=i % 11000)
        ten = born.strftime("%y%m%d") + f"{(i // 11000) % 1000:03d}"
        total = 0
        for pos, ch in enumerate(ten):
            d = int(ch) * (2 if pos % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        ids.append(born.strftime("%Y%m%d") + ten[6:] + str((10 - total % 10) % 10))
    return ids


def _base(lines: int) -> pl.DataFrame:
    patients = pl.Series("pid", _personnummer(lines // LINES_PER_PATIENT + 1))
    products = ["Alvedon", "Waran", "Metformin", "Omeprazol", "Furix", "Atorvastatin"]
    index = pl.int_range(lines, eager=True)
    return pl.DataFrame(
        {
            "i": index,
            "pid": patients.gather(index // LINES_PER_PATIENT),
            "product": pl.Series(products).gather(index % len(products)),
            "strength": (index % 5 + 1) * 100,
        }
    )


def make_cosmic(lines: int, path: Path) -> None:
    _base(lines).select(
        Personnummer=pl.col("pid"),
        Patient=pl.lit("Andersson, Karin"),
        Vårdenhet=pl.lit("Hemsjukvård Karlstad Norr"),
        OrdinationsID=pl.format("C-{}", pl.col("i")),
        Läkemedel=pl.format("{} tablett {} mg", pl.col("product"), pl.col("strength")),
        Substans=pl.col("product"),
        Styrka=pl.format("{} mg", pl.col("strength")),
        Läkemedelsform=pl.lit("Tablett"),
        Administreringsväg=pl.lit("Oral"),
        Dosering=pl.lit("1 tablett 2 gånger dagligen"),
        Doseringstyp=pl.when(pl.col("i") % 7 == 0)
        .then(pl.lit("Vid behov"))
        .otherwise(pl.lit("Stående")),
        Insättningsdatum=pl.lit("2024-03-01"),
        Utsättningsdatum=pl.when(pl.col("i") % 9 == 0).then(pl.lit("2025-01-31")),
        Status=pl.when(pl.col("i") % 9 == 0).then(pl.lit("Utsatt")).otherwise(pl.lit("Aktiv")),
        Ordinationstyp=pl.lit("Recept"),
        Dosdispenserad=pl.lit("Ja"),
        ATC=pl.lit("N02BE01"),
        Förskrivare=pl.lit("Lena Berg"),
        Ändamål=pl.lit("mot smärta"),
        **{"Senast ändrad": pl.lit("2025-10-02 14:31")},
    ).write_csv(path, separator=";")


def make_pascal(lines: int, path: Path) -> None:
    _base(lines).select(
        Personnummer=pl.col("pid"),
        Namn=pl.lit("Karin Andersson"),
        ReceptID=pl.format("P-{}", pl.col("i")),
        **{"Förskrivet läkemedel": pl.format("{} {} mg", pl.col("product"), pl.col("strength"))},
        **{"Verksamt ämne": pl.col("product")},
        Styrka=pl.format("{} mg", pl.col("strength")),
        Läkemedelsform=pl.lit("Tablett"),
        Administreringssätt=pl.lit("Oral"),
        Användning=pl.lit("1 tablett morgon och kväll"),
        Morgon=pl.lit("1"),
        Middag=pl.when(pl.col("i") % 3 == 0).then(pl.lit("½")),
        Kväll=pl.lit("0,5"),
        Natt=pl.lit(None, dtype=pl.String),
        Dispensering=pl.lit("Dosdispenserad"),
        **{"Vid behov": pl.lit("Nej")},
        Insättningsdatum=pl.lit("2024-03-01"),
        **{"Sista giltighetsdag": pl.lit("2026-02-28")},
        Utsatt=pl.when(pl.col("i") % 9 == 0).then(pl.lit("2025-01-31")),
        Förskrivare=pl.lit("Lena Berg"),
        ATC=pl.lit("N02BE01"),
        **{"NPL-id": pl.lit("19750101000019")},
        Behandlingsorsak=pl.lit("Smärta"),
        Ändrad=pl.lit("2025-09-30 09:12"),
    ).write_csv(path, separator=";")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="medrecon-bench-") as tmp:
        for system, make in (("cosmic", make_cosmic), ("pascal", make_pascal)):
            path = Path(tmp) / f"{system}.csv"
            started = time.perf_counter()
            make(args.lines, path)
            made = time.perf_counter() - started
            started, cpu_started = time.perf_counter(), time.process_time()
            result = load_exports([path])
            took = time.perf_counter() - started
            cpu = time.process_time() - cpu_started  # all threads; wall time varies with load
            size_mb = path.stat().st_size / 1e6
            print(
                f"{system}: {result.lines.height:,} rader inlästa, "
                f"{result.rejected.height} avvisade, {size_mb:.0f} MB, "
                f"genererad på {made:.1f} s, inläst på {took:.2f} s "
                f"({result.lines.height / took:,.0f} rader/s, CPU-tid {cpu:.1f} s)"
            )


if __name__ == "__main__":
    main()

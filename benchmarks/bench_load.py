"""How fast the adapters load big exports, against polars reading the same file.

    .venv/bin/python benchmarks/bench_load.py [--lines 1000000] [--repeat 3]
                                              [--data-dir DIR] [--broken N]

Writes a fictional Cosmic and a Pascal CSV export of ``--lines`` lines each (valid
personnummer, made-up products; ``--broken N`` plants N broken rows of every kind:
unterminated quote, NUL byte, form feed, ragged row, text after a closing quote), then,
for each file, times in fresh subprocesses, ``--repeat`` times in turn:

- polars' read-only time: ``pl.read_csv(path, separator=";", infer_schema=False)``;
- medrecon's load: ``adapters.load_exports([path])`` (every row loaded or rejected).

It prints the median wall time of each, the ratio medrecon / polars, lines per second,
the CPU time of each (all threads; less sensitive to other load on the machine than the
wall time) and each process's peak resident memory (``VmHWM``, polars allocates outside
Python).
``--data-dir`` keeps the generated files there and reuses them on the next run.

For timings from outside the process (start-up included), the same measurement runs as

    farm-bench -n 5 --timeout 600 -- .venv/bin/python benchmarks/bench_load.py \\
        --measure medrecon DIR/cosmic.csv --vs ".venv/bin/python benchmarks/bench_load.py \\
        --measure polars DIR/cosmic.csv"
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout

LINES_PER_PATIENT = 10
SYSTEMS = ("cosmic", "pascal")


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


def plant_broken_rows(path: Path, count: int) -> None:
    """Spread ``count`` broken rows of each kind evenly over the file (in place)."""
    lines = path.read_bytes().split(b"\n")
    step = max(1, (len(lines) - 2) // (count * 5 + 1))
    damage = (
        lambda line: line.replace(b";", b';"', 1),  # an unterminated quote
        lambda line: line.replace(b";", b";\x00", 1),  # a NUL byte
        lambda line: line.replace(b";", b";\x0c", 1),  # a form feed
        lambda line: line + b";extra",  # a ragged row
        lambda line: line.replace(b";", b';"x"y', 1),  # text after the closing quote
    )
    at = step
    for _ in range(count):
        for hurt in damage:
            if at < len(lines) - 1:
                lines[at] = hurt(lines[at])
            at += step
    path.write_bytes(b"\n".join(lines))


_MEASURE = """
import json, sys, time
def peak_mib():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
what, path = sys.argv[1], sys.argv[2]
import polars as pl
if what == "medrecon":
    from adapters import load_exports
started, cpu = time.perf_counter(), time.process_time()
if what == "polars":
    try:
        frame = pl.read_csv(path, separator=";", infer_schema=False)
    except pl.exceptions.PolarsError as exc:  # broken rows: polars refuses the file
        print(json.dumps({"error": type(exc).__name__}))
        raise SystemExit(0)
    loaded, rejected = frame.height, 0
else:
    result = load_exports([path])
    loaded, rejected = result.lines.height, result.rejected.height
took = time.perf_counter() - started
print(json.dumps({"seconds": took, "cpu": time.process_time() - cpu, "peak_mib": peak_mib(),
                  "loaded": loaded, "rejected": rejected}))
"""


def measure(what: str, path: Path) -> dict[str, float]:
    """One timed read in a fresh process (no ``seconds`` when polars refused the file)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, what, str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _median(runs: list[dict[str, float]], key: str) -> float:
    values = [run[key] for run in runs if key in run]
    return statistics.median(values) if values else float("nan")


def _files(folder: Path, lines: int, broken: int) -> dict[str, Path]:
    files = {}
    for system, make in (("cosmic", make_cosmic), ("pascal", make_pascal)):
        path = folder / f"{system}-{lines}-{broken}.csv"
        if not path.exists():
            started = time.perf_counter()
            make(lines, path)
            if broken:
                plant_broken_rows(path, broken)
            print(f"{path.name}: genererad på {time.perf_counter() - started:.1f} s", flush=True)
        files[system] = path
    return files


def report(files: dict[str, Path], repeat: int) -> None:
    print(
        f"{'system':<8} {'rader':>10} {'MB':>5} {'polars':>8} {'medrecon':>9} {'kvot':>6} "
        f"{'rader/s':>10} {'CPU polars':>11} {'CPU medrecon':>13} {'CPU-kvot':>9} "
        f"{'topp polars':>12} {'topp medrecon':>14} {'avvisade':>9}"
    )
    for system, path in files.items():
        polars_runs, medrecon_runs = [], []
        for _ in range(repeat):  # in turn, so that a change in machine load hits both
            polars_runs.append(measure("polars", path))
            medrecon_runs.append(measure("medrecon", path))
        read, load = _median(polars_runs, "seconds"), _median(medrecon_runs, "seconds")
        cpu_read, cpu_load = _median(polars_runs, "cpu"), _median(medrecon_runs, "cpu")
        last = medrecon_runs[-1]
        lines = int(last["loaded"] + last["rejected"])
        refused = read != read  # NaN: polars refused the file (broken rows)
        polars_time = "vägrar" if refused else f"{read:.2f}s"
        ratio = "–" if refused else f"{load / read:.1f}×"
        polars_cpu = "–" if refused else f"{cpu_read:.2f}s"
        cpu_ratio = "–" if refused else f"{cpu_load / cpu_read:.1f}×"
        polars_peak = "–" if refused else f"{_median(polars_runs, 'peak_mib') / 1024:.2f} GiB"
        print(
            f"{system:<8} {lines:>10,} {path.stat().st_size / 1e6:>5.0f} {polars_time:>8} "
            f"{load:>8.2f}s {ratio:>6} {lines / load:>10,.0f} "
            f"{polars_cpu:>11} {cpu_load:>12.2f}s {cpu_ratio:>9} "
            f"{polars_peak:>12} "
            f"{_median(medrecon_runs, 'peak_mib') / 1024:>10.2f} GiB {int(last['rejected']):>9}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--broken", type=int, default=0, help="broken rows of each kind")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--measure",
        nargs=2,
        metavar=("polars|medrecon", "FILE"),
        help="time one read of FILE in this process (for farm-bench)",
    )
    args = parser.parse_args()
    if args.measure:
        what, path = args.measure
        sys.argv = ["", what, path]
        exec(compile(_MEASURE, "<measure>", "exec"), {"__name__": "__measure__"})
        return
    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        report(_files(args.data_dir, args.lines, args.broken), args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="medrecon-bench-") as tmp:
        report(_files(Path(tmp), args.lines, args.broken), args.repeat)


if __name__ == "__main__":
    main()

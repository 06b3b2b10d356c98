"""Speed and memory of the whole nightly pipeline on generated exports.

    .venv/bin/python benchmarks/bench.py [--sizes 10000 100000 200000] [--seed 1]
                                          [--data-dir DIR]

For each size: generate a pair with ``medrecon.synth`` and write both exports as CSV (in
a subprocess of its own), then measure in a *fresh* subprocess: reading both files
(adapters), normalisation, the engine (pairing and judging), the time of each and the
peak resident memory of each (polars allocates outside Python, so tracemalloc would not
see it). On Linux the peak is reset between phases (``/proc/self/clear_refs``), so each
phase's peak is its own; the overall peak is the largest of them. Elsewhere every phase
shows the process's peak so far (``ru_maxrss``).

``--data-dir`` keeps the generated files there and reuses them on the next run (the
generator takes longer than the measurement at 200,000 patients); without it they go
to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
from medrecon.files import ensure_private_dir, make_private

ROOT = Path(__file__).resolve().parents[1]

_GENERATE = """
import sys
from medrecon.synth import generate_pair
pair = generate_pair(int(sys.argv[1]), int(sys.argv[2]))
pair.cosmic.write_csv(sys.argv[3], separator=";")
pair.pascal.write_csv(sys.argv[4], separator=";")
"""

_MEASURE = """
import json, resource, sys, time

def peak_mib():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass  # not Linux: the phases show the peak so far

from adapters import load_exports
from medrecon.engine import Rules, reconcile
from medrecon.normalise import resolve_lines
from medrecon.model import LoadResult
rules = Rules.load()
figures = {}
reset_peak()
t1 = time.perf_counter()
cosmic = load_exports([sys.argv[1]], system="cosmic")
pascal = load_exports([sys.argv[2]], system="pascal")
t2 = time.perf_counter()
figures["read_peak"] = peak_mib()
reset_peak()
cosmic = LoadResult(resolve_lines(cosmic.lines), cosmic.rejected, cosmic.files)
pascal = LoadResult(resolve_lines(pascal.lines), pascal.rejected, pascal.files)
t3 = time.perf_counter()
figures["normalise_peak"] = peak_mib()
reset_peak()
result = reconcile(cosmic, pascal, rules=rules)
t4 = time.perf_counter()
figures["engine_peak"] = peak_mib()
figures.update(
    lines=cosmic.lines.height + pascal.lines.height,
    findings=result.findings.height,
    read=t2 - t1, normalise=t3 - t2, engine=t4 - t3,
)
print(json.dumps(figures))
"""


def _exports(n: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """The pair of generated exports for ``n`` patients (generated unless already there)."""
    cosmic = folder / f"cosmic-{n}-seed{seed}.csv"
    pascal = folder / f"pascal-{n}-seed{seed}.csv"
    if not (cosmic.exists() and pascal.exists()):
        subprocess.run(
            [sys.executable, "-c", _GENERATE, str(n), str(seed), str(cosmic), str(pascal)],
            cwd=ROOT,
            check=True,
        )
        make_private(cosmic)
        make_private(pascal)
    return cosmic, pascal


def run_size(n: int, seed: int, folder: Path) -> dict[str, float]:
    cosmic, pascal = _exports(n, seed, folder)
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(cosmic), str(pascal)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    figures["mib_on_disk"] = (cosmic.stat().st_size + pascal.stat().st_size) / 2**20
    return figures


def _measure_all(sizes: list[int], seed: int, folder: Path) -> None:
    header = (
        f"{'patients':>9} {'lines':>10} {'CSV MiB':>8} {'read s':>7} {'normalise s':>12} "
        f"{'engine s':>9} {'total s':>8} {'lines/s':>10} {'read MiB':>9} "
        f"{'norm. MiB':>10} {'engine MiB':>11} {'peak MiB':>9} {'findings':>9}"
    )
    print(header)
    for n in sizes:
        f = run_size(n, seed, folder)
        total = f["read"] + f["normalise"] + f["engine"]
        peak = max(f["read_peak"], f["normalise_peak"], f["engine_peak"])
        print(
            f"{n:>9} {int(f['lines']):>10} {f['mib_on_disk']:>8.1f} {f['read']:>7.2f} "
            f"{f['normalise']:>12.2f} {f['engine']:>9.2f} {total:>8.2f} "
            f"{f['lines'] / total:>10,.0f} {f['read_peak']:>9.0f} "
            f"{f['normalise_peak']:>10.0f} {f['engine_peak']:>11.0f} {peak:>9.0f} "
            f"{int(f['findings']):>9}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 200_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep the generated exports here and reuse them (default: a temporary folder)",
    )
    args = parser.parse_args(argv)
    if args.data_dir is not None:
        _measure_all(args.sizes, args.seed, ensure_private_dir(args.data_dir))
        return 0
    with tempfile.TemporaryDirectory(prefix="medrecon-bench-") as tmp:
        _measure_all(args.sizes, args.seed, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed and memory of the whole nightly pipeline on generated exports.

    .venv/bin/python benchmarks/bench.py [--sizes 10000 100000 200000] [--seed 1]

For each size: generate a pair with ``medrecon.synth`` and write both exports as CSV to
a temporary folder (in a subprocess of its own), then measure in a *fresh* subprocess:
reading both files (adapters), normalisation, the engine (pairing and judging) and the
peak resident memory of that process (``ru_maxrss``; polars allocates outside Python,
so tracemalloc would not see it). Prints one row per size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

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
t0 = time.perf_counter()
from adapters import load_exports
from medrecon.engine import Rules, reconcile
from medrecon.normalise import resolve_lines
from medrecon.model import LoadResult
rules = Rules.load()
t1 = time.perf_counter()
cosmic = load_exports([sys.argv[1]], system="cosmic")
pascal = load_exports([sys.argv[2]], system="pascal")
t2 = time.perf_counter()
cosmic = LoadResult(resolve_lines(cosmic.lines), cosmic.rejected, cosmic.files)
pascal = LoadResult(resolve_lines(pascal.lines), pascal.rejected, pascal.files)
t3 = time.perf_counter()
result = reconcile(cosmic, pascal, rules=rules)
t4 = time.perf_counter()
print(json.dumps({
    "lines": cosmic.lines.height + pascal.lines.height,
    "findings": result.findings.height,
    "read": t2 - t1, "normalise": t3 - t2, "engine": t4 - t3,
    "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def run_size(n: int, seed: int, folder: Path) -> dict[str, float]:
    cosmic, pascal = folder / f"cosmic-{n}.csv", folder / f"pascal-{n}.csv"
    subprocess.run(
        [sys.executable, "-c", _GENERATE, str(n), str(seed), str(cosmic), str(pascal)],
        cwd=ROOT,
        check=True,
    )
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(cosmic), str(pascal)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    figures["mib_on_disk"] = (cosmic.stat().st_size + pascal.stat().st_size) / 2**20
    cosmic.unlink()
    pascal.unlink()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 200_000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    header = (
        f"{'patients':>9} {'lines':>10} {'CSV MiB':>8} {'read s':>7} {'normalise s':>12} "
        f"{'engine s':>9} {'total s':>8} {'lines/s':>10} {'peak MiB':>9} {'findings':>9}"
    )
    print(header)
    with tempfile.TemporaryDirectory(prefix="medrecon-bench-") as tmp:
        for n in args.sizes:
            f = run_size(n, args.seed, Path(tmp))
            total = f["read"] + f["normalise"] + f["engine"]
            print(
                f"{n:>9} {int(f['lines']):>10} {f['mib_on_disk']:>8.1f} {f['read']:>7.2f} "
                f"{f['normalise']:>12.2f} {f['engine']:>9.2f} {total:>8.2f} "
                f"{f['lines'] / total:>10,.0f} {f['maxrss_kib'] / 1024:>9.0f} "
                f"{int(f['findings']):>9}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time the nightly batch end to end on synthetic exports, one subprocess per size.

    .venv/bin/python benchmarks/bench_batch.py --patients 10000 100000 200000

Each size runs in its own process so that peak memory (ru_maxrss) belongs to that size
alone. Generating and writing the synthetic exports is timed separately and is not
part of the batch figures: load+engine, store, excel (report data and workbook), total.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _export_paths(folder: Path, written: object) -> tuple[list[Path], list[Path]]:
    """The Cosmic and Pascal files ``write_pair`` produced (by return value or name)."""
    if isinstance(written, tuple | list) and len(written) == 2:
        cosmic, pascal = written
        return [Path(cosmic)], [Path(pascal)]  # type: ignore[arg-type]
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    cosmic = [p for p in files if "cosmic" in p.name.lower()]
    pascal = [p for p in files if "pascal" in p.name.lower()]
    if not cosmic or not pascal:
        raise SystemExit(f"write_pair wrote no recognisable exports in {folder}: {files}")
    return cosmic, pascal


def child(patients: int, seed: int, workdir: Path) -> dict[str, float | int]:
    sys.path.insert(0, str(ROOT))
    from medrecon.batch import BatchOptions, run_batch
    from medrecon.synth import generate_pair, write_pair

    mark = time.perf_counter()
    pair = generate_pair(patients, seed)
    exports = workdir / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    written = write_pair(pair, exports)
    generate = time.perf_counter() - mark
    del pair
    cosmic, pascal = _export_paths(exports, written)

    class Quiet:
        def stage(self, description: str, total: int | None = None) -> None:
            return None

        def advance(self, rows: int) -> None:
            return None

        def finish(self) -> None:
            return None

    out = workdir / "rapport.xlsx"
    result = run_batch(
        BatchOptions(cosmic=cosmic, pascal=pascal, out=out, db=workdir / "medrecon.db"),
        Quiet(),
    )
    fig = result.figures
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "patients": patients,
        "generate_s": generate,
        **{f"{k}_s": v for k, v in result.timings.items()},
        "open": fig.open_total,
        "decided": fig.decided,
        "rejected": fig.rejected_rows,
        "report_mib": out.stat().st_size / 2**20,
        "peak_mib": peak_kib / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[10_000, 100_000, 200_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        print(json.dumps(child(args.child, args.seed, args.workdir)))
        return 0

    header = (
        f"{'patients':>9} {'open':>8} {'load+engine':>12} {'store':>8} {'excel':>8} "
        f"{'total':>8} {'peak MiB':>9} {'xlsx MiB':>9} {'(generate)':>11}"
    )
    print(header)
    print("-" * len(header))
    for n in args.patients:
        with tempfile.TemporaryDirectory(prefix="medrecon-bench-") as tmp:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(n),
                    "--seed",
                    str(args.seed),
                    "--workdir",
                    tmp,
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
        if proc.returncode != 0:
            print(f"{n:>9} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{r['patients']:>9} {r['open']:>8} {r['load_engine_s']:>11.1f}s "
            f"{r['store_s']:>7.1f}s {r['excel_s']:>7.1f}s {r['total_s']:>7.1f}s "
            f"{r['peak_mib']:>9.0f} {r['report_mib']:>9.1f} {r['generate_s']:>10.1f}s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

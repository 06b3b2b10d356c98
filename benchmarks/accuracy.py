"""Accuracy: the seeded generator's planted findings, and the development corpus.

    .venv/bin/python benchmarks/accuracy.py [--patients 5000] [--seed 1] [--show 3]
                                            [--corpus DIR] [--skip-generator]

1. Generator: fictional Cosmic and Pascal exports from ``medrecon.synth``, written as
   CSV, through the whole pipeline (adapters, normalisation, engine); findings compared
   with the planted truth on (patient, kind, substance, Cosmic ids, Pascal ids).
2. Development corpus (``--corpus``, default ``../shared/corpus`` beside the checkout),
   written by a clinical pharmacist outside the team: dosing texts (read correctly / not
   read / read wrongly), product texts (resolved correctly) and the labelled
   reconciliation pair (precision and recall per kind, every disagreement listed).

Targets: recall >= 0.99 and precision >= 0.98 for every kind (generator and corpus
pair); dosing texts >= 97 % read correctly and none read wrongly; products 100 %.
``--show`` prints that many missed and unexpected generator findings per kind. Exit
status 1 when a target is missed or the generator gave one patient id to two people.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import DEFAULT_CORPUS
from benchmarks.corpus.report import print_corpus
from medrecon.engine import reconcile_files
from medrecon.schema import KINDS
from medrecon.synth import generate_pair

KEY = ["patient_id", "kind", "substance", "c_key", "p_key"]
# The same without the substance name: separates naming differences between the
# generator and the substance catalogue from pairing and judging errors.
IDS_KEY = ["patient_id", "kind", "c_key", "p_key"]


def keyed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        c_key=pl.col("cosmic_ids").list.sort().list.join("|"),
        p_key=pl.col("pascal_ids").list.sort().list.join("|"),
        substance=pl.col("substance").fill_null(""),
    )


def write_exports(folder: Path, n_patients: int, seed: int) -> tuple[Path, Path, pl.DataFrame]:
    pair = generate_pair(n_patients, seed)
    cosmic, pascal = folder / "cosmic.csv", folder / "pascal.csv"
    pair.cosmic.write_csv(cosmic, separator=";")
    pair.pascal.write_csv(pascal, separator=";")
    return cosmic, pascal, pair.truth


def shared_ids(lines: pl.DataFrame) -> pl.DataFrame:
    """Patient ids whose lines in one export carry more than one patient name."""
    names = lines.group_by("patient_id", "source").agg(pl.col("patient_name").n_unique())
    return names.filter(pl.col("patient_name") > 1).select("patient_id").unique()


def compare(found: pl.DataFrame, truth: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    found, truth = keyed(found), keyed(truth)
    hits = found.join(truth.select(*key, truth_severity="severity"), on=key, how="inner")
    rows = []
    for kind in KINDS:
        n_found = found.filter(pl.col("kind") == kind).height
        n_truth = truth.filter(pl.col("kind") == kind).height
        kind_hits = hits.filter(pl.col("kind") == kind)
        n_hit = kind_hits.height
        same_severity = kind_hits.filter(pl.col("severity") == pl.col("truth_severity")).height
        rows.append(
            {
                "kind": kind,
                "planted": n_truth,
                "found": n_found,
                "correct": n_hit,
                "precision": n_hit / n_found if n_found else None,
                "recall": n_hit / n_truth if n_truth else None,
                "severity_ok": same_severity / n_hit if n_hit else None,
            }
        )
    return pl.DataFrame(rows)


def show_errors(found: pl.DataFrame, truth: pl.DataFrame, n: int, key: list[str]) -> None:
    found, truth = keyed(found), keyed(truth)
    cols = ["patient_id", "kind", "substance", "cosmic_ids", "pascal_ids"]
    missed = truth.join(found, on=key, how="anti")
    extra = found.join(truth, on=key, how="anti")
    with pl.Config(tbl_rows=200, fmt_str_lengths=160, tbl_width_chars=220):
        for kind in KINDS:
            m = missed.filter(pl.col("kind") == kind)
            e = extra.filter(pl.col("kind") == kind)
            if m.height:
                print(f"\nMissed {kind} ({m.height}):")
                print(m.select(cols).head(n))
            if e.height:
                print(f"\nUnexpected {kind} ({e.height}):")
                print(e.select([*cols, "explanation"]).head(n))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=0, help="examples of errors per kind")
    parser.add_argument(
        "--ids-only", action="store_true", help="--show errors ignoring the substance name"
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skip-generator", action="store_true")
    args = parser.parse_args(argv)
    on_target = True if args.skip_generator else generator_accuracy(args)
    if args.corpus.is_dir():
        on_target = print_corpus(args.corpus) and on_target
    else:
        print(f"\nThe development corpus is not at {args.corpus}: its figures are not shown.")
    return 0 if on_target else 1


def generator_accuracy(args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="medrecon-accuracy-") as tmp:
        cosmic, pascal, truth = write_exports(Path(tmp), args.patients, args.seed)
        start = time.perf_counter()
        result = reconcile_files([cosmic], [pascal])
        elapsed = time.perf_counter() - start
    print(
        f"{args.patients} patients, seed {args.seed}: {result.findings.height} findings, "
        f"{truth.height} planted, pipeline {elapsed:.1f} s"
    )
    shared = shared_ids(result.lines)
    if shared.height:  # the generator must give every person an id of their own
        print(f"WARNING: {shared.height} patient ids carry two names (a generator error)")
    on_target = True
    for title, key in (
        ("Matched on patient, kind, substance and line ids (the target)", KEY),
        ("Diagnostic: matched on patient, kind and line ids (substance name ignored)", IDS_KEY),
    ):
        table = compare(result.findings, truth, key)
        print(f"\n{title}:")
        with pl.Config(tbl_rows=30, float_precision=4, tbl_hide_dataframe_shape=True):
            print(table)
        short = table.filter(
            (pl.col("recall").fill_null(1.0) < 0.99) | (pl.col("precision").fill_null(1.0) < 0.98)
        )
        print(
            "All kinds on target."
            if short.height == 0
            else f"Below target: {short['kind'].to_list()}"
        )
        if key == KEY:
            on_target = short.height == 0 and not shared.height
    if args.show:
        show_errors(result.findings, truth, args.show, IDS_KEY if args.ids_only else KEY)
    return on_target


if __name__ == "__main__":
    sys.exit(main())

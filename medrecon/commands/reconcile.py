"""``medrecon reconcile COSMIC PASCAL``: the findings, as a table or as JSON.

``--format json`` prints the contract of ``spec/discrepancies.md`` (plus a few extra
fields: Swedish labels, mechanism, lineage, elderly-care flags). Exit 0 when it ran,
findings or not; 2 on unusable input (raised as ``MedreconError`` by the adapters).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from medrecon import __version__
from medrecon.commands.reference_date import add_as_of
from medrecon.labels import KIND_LABEL, SEVERITY_LABEL
from medrecon.model import Reconciliation

_MATCH_FIELDS = ("cosmic_ids", "pascal_ids", "substance", "atc", "mechanism", "score")
_FINDING_FIELDS = (
    "id",
    "kind",
    "kind_label",
    "severity",
    "severity_label",
    "substance",
    "atc",
    "cosmic_ids",
    "pascal_ids",
    "explanation",
    "mechanism",
    "score",
    "lineage",
    "cosmic_changed",
    "pascal_changed",
    "stale_system",
    "related_ids",
    "hint",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reconcile",
        help="jämför en Cosmic- och en Pascal-export och visar avvikelserna",
        description=(
            "Jämför läkemedelslistorna i en Cosmic-export med en Pascal-export och visar "
            "varje avvikelse per patient. COSMIC och PASCAL kan vara filer eller mappar."
        ),
    )
    parser.add_argument(
        "cosmic", type=Path, metavar="COSMIC", help="Cosmic-export (fil eller mapp)"
    )
    parser.add_argument(
        "pascal", type=Path, metavar="PASCAL", help="Pascal-export (fil eller mapp)"
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="FIL",
        help="TOML-fil med egna kolumnnamn (se dokumentationen)",
    )
    parser.add_argument(
        "--sheet", metavar="BLAD", help="bladet som ska läsas i Excel-filer (annars exportbladet)"
    )
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table: läsbar tabell per patient (standard); json: maskinläsbart",
    )
    add_as_of(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from medrecon.engine import reconcile_files

    result = reconcile_files(
        [args.cosmic], [args.pascal], mapping=args.mapping, as_of=args.as_of, sheet=args.sheet
    )
    if args.format == "json":
        sys.stdout.write(to_json(result))
        sys.stdout.write("\n")
    else:
        from medrecon.render_table import render

        render(result)
    return 0


def _empty_list(dtype: pl.DataType) -> pl.Expr:
    return pl.lit(pl.Series([[]], dtype=pl.List(dtype)))


def patients_frame(result: Reconciliation) -> pl.DataFrame:
    """One row per patient with nested ``matches`` and ``discrepancies`` (JSON shape)."""
    # Both frames come sorted from the engine; grouping keeps that order.
    matches = result.matches.group_by("patient_id", maintain_order=True).agg(
        matches=pl.struct(*_MATCH_FIELDS)
    )
    findings = (
        result.findings.with_columns(
            kind_label=pl.col("kind").replace_strict(KIND_LABEL, default=pl.col("kind")),
            severity_label=pl.col("severity").replace_strict(
                SEVERITY_LABEL, default=pl.col("severity")
            ),
            # ISO 8601 local time, as the exports give it (no time zone)
            cosmic_changed=pl.col("cosmic_changed").dt.strftime("%Y-%m-%dT%H:%M:%S"),
            pascal_changed=pl.col("pascal_changed").dt.strftime("%Y-%m-%dT%H:%M:%S"),
        )
        .group_by("patient_id", maintain_order=True)
        .agg(discrepancies=pl.struct(*_FINDING_FIELDS))
    )
    frame = (
        result.patients.select("patient_id", "incomplete", "elderly_flags", "elderly_notes")
        .join(matches, on="patient_id", how="left")
        .join(findings, on="patient_id", how="left")
    )
    return frame.with_columns(
        pl.col(name).fill_null(_empty_list(frame.schema[name].inner))  # type: ignore[attr-defined]
        for name in ("matches", "discrepancies")
    ).select(
        "patient_id", "matches", "discrepancies", "incomplete", "elderly_flags", "elderly_notes"
    )


def to_json(result: Reconciliation) -> str:
    """The JSON document of the contract (built by polars, so it scales to a region)."""
    import json

    patients = patients_frame(result).write_json()
    rejected_json = result.rejected.select("file", "line", "reason", "source").write_json()
    return (
        '{"medrecon_version": '
        + json.dumps(__version__)
        + ', "patients": '
        + patients
        + ', "rejected_rows": '
        + rejected_json
        + "}"
    )

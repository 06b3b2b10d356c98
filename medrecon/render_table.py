"""The ``reconcile --format table`` view: a readable terminal report in Swedish (rich).

Text from the exports (names, units, line texts in explanations, file names, reasons)
goes into ``Text`` objects through ``safe_text``: never parsed as rich markup, and no
control character reaches the terminal.
"""

from __future__ import annotations

import polars as pl
from rich.console import Console
from rich.table import Table
from rich.text import Text

from medrecon.ids import display_patient_id
from medrecon.labels import KIND_LABEL, SEVERITY_LABEL, SEVERITY_RANK
from medrecon.model import Reconciliation
from medrecon.terminal_text import safe_text

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def _patient_heading(row: dict[str, object]) -> str:
    pid = str(row["patient_id"])
    shown = display_patient_id(pid)
    name = row.get("patient_name") or ""
    unit = row.get("care_unit")
    parts = [f"Patient {shown}", str(name)] + ([str(unit)] if unit else [])
    return safe_text(" · ".join(p for p in parts if p))


def _findings_table(findings: pl.DataFrame) -> Table:
    table = Table(show_lines=False, expand=True, pad_edge=False)
    table.add_column("Allvarlighet", no_wrap=True)
    table.add_column("Avvikelse", no_wrap=True)
    table.add_column("Substans")
    table.add_column("Förklaring", ratio=1)
    for row in findings.iter_rows(named=True):
        severity = str(row["severity"])
        table.add_row(
            Text(SEVERITY_LABEL.get(severity, severity), style=SEVERITY_STYLE.get(severity, "")),
            KIND_LABEL.get(row["kind"], row["kind"]),
            Text(safe_text(row["substance"] or "–")),
            Text(safe_text(row["explanation"] or "")),
        )
    return table


def render(result: Reconciliation, console: Console | None = None) -> None:
    """Per patient with findings: a table; then a summary and the rejected rows."""
    console = console or Console()
    findings = result.findings
    by_patient = findings.partition_by("patient_id", as_dict=True, maintain_order=True)
    patients = result.patients.filter(
        pl.col("patient_id").is_in(findings["patient_id"].unique().implode())
        | (pl.col("elderly_flags").list.len() > 0)
        | pl.col("incomplete")
    )
    for row in patients.iter_rows(named=True):
        console.rule(Text(_patient_heading(row), style="bold"))
        if row["incomplete"]:
            console.print(
                "[yellow]Obs: rader för patienten kunde inte läsas in (se nedan); "
                "listan kan vara ofullständig.[/]"
            )
        own = by_patient.get((row["patient_id"],))
        if own is not None and own.height:
            console.print(_findings_table(own))
        else:
            console.print("Inga avvikelser mellan Cosmic och Pascal.")
        for note in row["elderly_notes"] or []:
            console.print(Text.assemble(("Äldre (75+): ", "magenta"), safe_text(note)))
    _summary(result, console)
    _rejected(result, console)
    _skipped(result, console)


def _summary(result: Reconciliation, console: Console) -> None:
    findings = result.findings
    n_patients = result.patients.height
    with_findings = findings["patient_id"].n_unique() if findings.height else 0
    counts = dict(findings.group_by("severity").len().rows()) if findings.height else {}
    order = sorted(SEVERITY_RANK, key=lambda s: -SEVERITY_RANK[s])
    per_severity = ", ".join(f"{counts.get(s, 0)} {SEVERITY_LABEL[s].lower()}" for s in order)
    console.rule(Text("Sammanfattning", style="bold"))
    console.print(
        f"{n_patients} patienter, {with_findings} med avvikelser; "
        f"{findings.height} avvikelser ({per_severity}); {result.matches.height} parade rader."
    )
    if findings.height:
        kinds = findings.group_by("kind").len().sort("len", "kind", descending=[True, False])
        for kind, n in kinds.rows():
            console.print(f"  {KIND_LABEL.get(kind, kind)}: {n}")


def _rejected(result: Reconciliation, console: Console) -> None:
    rejected = result.rejected
    if rejected.height == 0:
        console.print("Alla rader lästes in.")
        return
    table = Table(title=f"{rejected.height} rader kunde inte läsas in", expand=True)
    table.add_column("Fil", no_wrap=True)
    table.add_column("Rad", justify="right")
    table.add_column("Orsak", ratio=1)
    for file, line, reason in rejected.select("file", "line", "reason").rows():
        table.add_row(
            Text(safe_text(file or "")), "" if line is None else str(line), Text(safe_text(reason))
        )
    console.print(table)


def _skipped(result: Reconciliation, console: Console) -> None:
    """Files in the named folders that were not read (not exports, still being written)."""
    if not result.skipped_files:
        return
    table = Table(title=f"{len(result.skipped_files)} filer i mapparna lästes inte", expand=True)
    table.add_column("Fil", no_wrap=True)
    table.add_column("Varför", ratio=1)
    for left_out in result.skipped_files:
        table.add_row(Text(safe_text(left_out.name)), Text(safe_text(left_out.reason)))
    console.print(table)

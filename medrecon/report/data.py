"""The report's rows as polars frames, built once from the engine and the store.

``build_report_data`` joins tonight's findings with the patients (unit, name) and with
the store's state of every finding (decision, first seen), and prepares one frame per
detail sheet with the Swedish labels already in place. The workbook writer only copies
these frames into cells; the summary figures (``summary.py``) are computed from the
same frames, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from medrecon.labels import KIND_LABEL, SEVERITY_LABEL, SEVERITY_RANK
from medrecon.model import Reconciliation
from medrecon.report.masking import TextMask
from medrecon.report.pseudonym import Pseudonymiser
from medrecon.schema import SYSTEM_LABEL

NO_UNIT = "Enhet saknas (bara i Pascal)"
INCOMPLETE = {name: pl.String() for name in ("care_unit", "patient_name", "patient_id", "reason")}

# The store's state columns the report reads (see docs/store-api.md, finding_states).
STATE_COLUMNS: dict[str, pl.DataType] = {
    "id": pl.String(),
    "status": pl.String(),
    "action_label": pl.String(),
    "comment": pl.String(),
    "decided_by": pl.String(),
    "decided_at": pl.String(),
    "first_seen": pl.String(),
    "previous_action_label": pl.String(),
    "previous_decided_by": pl.String(),
    "previous_decided_at": pl.String(),
}


@dataclass(frozen=True)
class RunFacts:
    """What the store said about tonight's run (or defaults when run without a store)."""

    run_at: dt.datetime  # local wall-clock time of the run, naive
    new_ids: frozenset[str] = frozenset()
    resolved_count: int = 0  # findings of the last run that are gone tonight
    run_id: int | None = None
    input_names: tuple[str, ...] = ()


@dataclass
class ReportData:
    """Everything the workbook shows; frames use code columns, labels added."""

    facts: RunFacts
    findings: pl.DataFrame  # every present finding, see FINDING_VIEW below
    patients: pl.DataFrame  # patient_id, care_unit, open, signed_off
    rejected: pl.DataFrame  # source, file, line, reason
    elderly: pl.DataFrame  # care_unit, patient_name, patient_key, indicator, code
    trend: pl.DataFrame  # started_at, n_open, n_new, n_gone, n_decided
    pseudonymised: bool = False
    notes: list[str] = field(default_factory=list)
    # care_unit, patient_name, patient_id, reason: one row per reason a patient's list may
    # lack rows (``incomplete_reasons`` of the engine's patient table)
    incomplete: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=INCOMPLETE))
    # Every patient name read tonight (both systems): what pseudonymising masks in text.
    patient_names: frozenset[str] = frozenset()

    @property
    def open(self) -> pl.DataFrame:
        return self.findings.filter(pl.col("status") == "open")

    @property
    def decided(self) -> pl.DataFrame:
        return self.findings.filter(pl.col("status") == "decided")


def local_times(column: pl.Series) -> pl.Series:
    """ISO-8601 UTC strings from the store as naive local datetimes (Excel has no zones).

    Converted once per distinct value: a store has few distinct run times.
    """
    if column.dtype != pl.String:
        column = column.cast(pl.String)
    distinct = column.drop_nulls().unique().to_list()
    lookup = {
        text: dt.datetime.fromisoformat(text).astimezone().replace(tzinfo=None) for text in distinct
    }
    return column.replace_strict(lookup, default=None, return_dtype=pl.Datetime("us")).rename(
        column.name
    )


def _states_or_default(findings: pl.DataFrame, states: pl.DataFrame | None) -> pl.DataFrame:
    if states is None:
        return findings.select(pl.col("id")).with_columns(
            pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in STATE_COLUMNS.items()
            if name != "id"
        )
    missing = [name for name in STATE_COLUMNS if name not in states.columns]
    states = states.with_columns(
        pl.lit(None, dtype=STATE_COLUMNS[name]).alias(name) for name in missing
    )
    return states.select(pl.col(name).cast(dtype) for name, dtype in STATE_COLUMNS.items()).unique(
        "id", keep="first"
    )


def _side_text(summary: str, ids: str) -> pl.Expr:
    """The line as the engine summarised it, else its ids; null when the side is empty."""
    joined = pl.col(ids).list.join(", ")
    return (
        pl.when(pl.col(summary).is_not_null() & (pl.col(summary) != ""))
        .then(pl.col(summary))
        .when(joined != "")
        .then(joined)
        .otherwise(None)
    )


def build_findings_view(
    recon: Reconciliation, states: pl.DataFrame | None, facts: RunFacts
) -> pl.DataFrame:
    """One row per present finding with everything the sheets show."""
    findings = recon.findings
    people = recon.patients.select("patient_id", "patient_name", "care_unit").unique(
        "patient_id", keep="first"
    )
    state = _states_or_default(findings, states)
    state = state.with_columns(
        local_times(state["first_seen"]).alias("first_seen"),
        local_times(state["decided_at"]).alias("decided_at"),
        local_times(state["previous_decided_at"]).alias("previous_decided_at"),
    )
    run_at = facts.run_at
    view = (
        findings.join(people, on="patient_id", how="left", maintain_order="left")
        .join(state, on="id", how="left", maintain_order="left")
        .with_columns(
            care_unit=pl.col("care_unit").fill_null(NO_UNIT),
            status=pl.col("status").fill_null("open"),
            first_seen=pl.col("first_seen").fill_null(run_at),
            kind_label=pl.col("kind").replace_strict(KIND_LABEL, default=pl.col("kind")),
            severity_label=pl.col("severity").replace_strict(
                SEVERITY_LABEL, default=pl.col("severity")
            ),
            severity_rank=pl.col("severity")
            .replace_strict(SEVERITY_RANK, default=0, return_dtype=pl.Int64)
            .cast(pl.Int64),
            cosmic_line=_side_text("cosmic_summary", "cosmic_ids"),
            pascal_line=_side_text("pascal_summary", "pascal_ids"),
            is_new=pl.col("id").is_in(list(facts.new_ids)),
        )
        .with_columns(
            first_seen_date=pl.col("first_seen").dt.date(),
            days_open=(pl.lit(run_at.date()) - pl.col("first_seen").dt.date())
            .dt.total_days()
            .clip(lower_bound=0),
            latest_decision=_latest_decision_text(),
        )
    )
    # Units alphabetically, the patients without a unit last; most severe, oldest first.
    return view.sort(
        [
            pl.col("care_unit") == NO_UNIT,
            "care_unit",
            "severity_rank",
            "days_open",
            "patient_name",
            "substance",
            "kind",
        ],
        descending=[False, False, True, True, False, False, False],
        nulls_last=True,
    )


def _latest_decision_text() -> pl.Expr:
    """For an open finding: the decision taken on its earlier version, if any."""
    when = pl.col("previous_decided_at").dt.strftime("%Y-%m-%d")
    return (
        pl.when(pl.col("previous_action_label").is_not_null())
        .then(
            pl.concat_str(
                pl.lit("Tidigare: "),
                pl.col("previous_action_label"),
                pl.lit(" ("),
                pl.col("previous_decided_by").fill_null("okänd"),
                pl.lit(", "),
                when.fill_null(""),
                pl.lit(") – raderna har ändrats sedan dess"),
            )
        )
        .otherwise(None)
    )


def build_patients_view(
    findings: pl.DataFrame, recon: Reconciliation, statuses: pl.DataFrame | None
) -> pl.DataFrame:
    """Per patient: unit, open findings and whether a valid sign-off covers them."""
    open_counts = (
        findings.filter(pl.col("status") == "open").group_by("patient_id").agg(open=pl.len())
    )
    people = recon.patients.select("patient_id", "care_unit").unique("patient_id", keep="first")
    view = people.join(open_counts, on="patient_id", how="left").with_columns(
        care_unit=pl.col("care_unit").fill_null(NO_UNIT),
        open=pl.col("open").fill_null(0).cast(pl.Int64),
    )
    if statuses is not None and statuses.height:
        signed = statuses.filter(pl.col("status") == "signed_off").select("patient_id")
        view = view.with_columns(
            signed_off=pl.col("patient_id").is_in(signed["patient_id"].to_list())
        )
    else:
        view = view.with_columns(signed_off=pl.lit(False))
    return view


def build_elderly_view(recon: Reconciliation) -> pl.DataFrame:
    """One row per patient and elderly-care indicator (flags and notes are parallel lists)."""
    patients = recon.patients.filter(pl.col("elderly_notes").list.len() > 0)
    exploded = (
        patients.select(
            "patient_id",
            "patient_name",
            pl.col("care_unit").fill_null(NO_UNIT),
            "elderly_flags",
            "elderly_notes",
            pl.int_ranges(0, pl.col("elderly_notes").list.len()).alias("_i"),
        )
        .explode("_i", empty_as_null=True)
        .with_columns(
            indicator=pl.col("elderly_notes").list.get(pl.col("_i"), null_on_oob=True),
            code=pl.col("elderly_flags").list.get(pl.col("_i"), null_on_oob=True),
        )
    )
    return exploded.select("care_unit", "patient_name", "patient_id", "indicator", "code").sort(
        ["care_unit", "patient_name", "patient_id"], nulls_last=True
    )


def build_incomplete_view(recon: Reconciliation) -> pl.DataFrame:
    """Patients whose lists may lack rows, one row per reason, by unit and name."""
    if "incomplete_reasons" not in recon.patients.columns:
        return pl.DataFrame(schema=INCOMPLETE)
    return (
        recon.patients.filter(pl.col("incomplete_reasons").list.len() > 0)
        .select(
            pl.col("care_unit").fill_null(NO_UNIT),
            "patient_name",
            "patient_id",
            reason=pl.col("incomplete_reasons"),
        )
        .explode("reason", empty_as_null=False)
        .sort(["care_unit", "patient_name", "patient_id"], nulls_last=True)
    )


def build_rejected_view(recon: Reconciliation) -> pl.DataFrame:
    return recon.rejected.select(
        source=pl.col("source").replace_strict(SYSTEM_LABEL, default=pl.col("source")),
        file="file",
        line="line",
        reason="reason",
    ).sort(["source", "file", "line"], nulls_last=True)


def build_trend(runs: pl.DataFrame | None, facts: RunFacts, open_now: int) -> pl.DataFrame:
    """Runs oldest first for the trend chart; without a store just tonight's figure."""
    schema = {
        "started_at": pl.Datetime("us"),
        "n_open": pl.Int64(),
        "n_new": pl.Int64(),
        "n_gone": pl.Int64(),
        "n_decided": pl.Int64(),
    }
    if runs is None or runs.height == 0:
        return pl.DataFrame(
            {
                "started_at": [facts.run_at],
                "n_open": [open_now],
                "n_new": [len(facts.new_ids)],
                "n_gone": [facts.resolved_count],
                "n_decided": [0],
            },
            schema=schema,
        )
    present = [name for name in schema if name in runs.columns]
    frame = runs.select(present).with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in schema.items()
        if name not in present
    )
    frame = frame.with_columns(local_times(frame["started_at"]).alias("started_at"))
    return frame.select(pl.col(n).cast(t) for n, t in schema.items()).sort("started_at")


# Code columns: values from medrecon's own vocabularies, never export text.
_CODE_COLUMNS = ("id", "lineage", "kind", "severity", "status", "mechanism", "source", "code")


def pseudonymise(data: ReportData, pseudonymiser: Pseudonymiser) -> ReportData:
    """No names, keys instead of personnummer, identifiers masked in all text, no comments.

    Every text column (line texts, explanations, units, reasons, file names) goes through
    ``TextMask``: personnummer in any written form and the words of every patient name
    read tonight are masked wherever they stand.
    """
    mask = TextMask(data.patient_names)

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        frame = frame.with_columns(
            pseudonymiser.map_ids(frame["patient_id"]).alias("patient_id"),
            pl.lit(None, dtype=pl.String).alias("patient_name"),
        )
        return mask.frame(frame, keep=(*_CODE_COLUMNS, "patient_id"))

    # Free text typed by staff may name the patient: left out of a wider report.
    findings = keyed(data.findings.with_columns(pl.lit(None, dtype=pl.String).alias("comment")))
    facts = RunFacts(
        run_at=data.facts.run_at,
        new_ids=data.facts.new_ids,
        resolved_count=data.facts.resolved_count,
        run_id=data.facts.run_id,
        input_names=tuple(mask(name) for name in data.facts.input_names),
    )
    return ReportData(
        facts=facts,
        findings=findings,
        patients=data.patients.with_columns(mask.column(data.patients["care_unit"])),
        rejected=mask.frame(data.rejected, keep=("source",)),
        elderly=keyed(data.elderly),
        trend=data.trend,
        pseudonymised=True,
        notes=data.notes,
        incomplete=keyed(data.incomplete),  # its reasons are masked like all text
        patient_names=data.patient_names,
    )


def build_report_data(
    recon: Reconciliation,
    facts: RunFacts,
    *,
    states: pl.DataFrame | None = None,
    statuses: pl.DataFrame | None = None,
    runs: pl.DataFrame | None = None,
    pseudonymiser: Pseudonymiser | None = None,
) -> ReportData:
    """All frames of the report; pseudonymised when a pseudonymiser is given."""
    findings = build_findings_view(recon, states, facts)
    open_now = int(findings.filter(pl.col("status") == "open").height)
    names = pl.concat(
        [recon.lines.get_column("patient_name"), recon.patients.get_column("patient_name")]
    )
    data = ReportData(
        facts=facts,
        findings=findings,
        patients=build_patients_view(findings, recon, statuses),
        rejected=build_rejected_view(recon),
        elderly=build_elderly_view(recon),
        trend=build_trend(runs, facts, open_now),
        incomplete=build_incomplete_view(recon),
        patient_names=frozenset(names.drop_nulls().unique().to_list()),
    )
    if pseudonymiser is not None:
        data = pseudonymise(data, pseudonymiser)
    return data

"""Current state of findings (for the worklist, the patient view and the report)."""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.engine import Connection

from medrecon.errors import MedreconError
from medrecon.labels import ACTION_LABEL
from medrecon.store.decisions import chunks, current_rows, lineage_previous
from medrecon.store.records import WITHDRAWN
from medrecon.store.tables import findings

STATE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "status": pl.String(),  # "open" | "decided"
    "action": pl.String(),  # null when open (also after a withdrawal)
    "action_label": pl.String(),
    "comment": pl.String(),
    "decided_by": pl.String(),  # as shown: name, role, "(importerat av ...)"
    "decided_at": pl.String(),  # ISO 8601 UTC
    # newest decision row, withdrawals included: pass it as expected_decision_id
    "decision_id": pl.Int64(),
    "first_seen": pl.String(),  # null when no recorded run has seen the id yet
    "last_seen": pl.String(),
    "gone_at": pl.String(),  # set when a later run covering the patient no longer had it
    "previous_action": pl.String(),  # newest decision on the lineage under another id
    "previous_action_label": pl.String(),
    "previous_decided_by": pl.String(),
    "previous_decided_at": pl.String(),
}


def finding_states(conn: Connection, frame: pl.DataFrame) -> pl.DataFrame:
    """One row per id of ``frame`` (order kept); ``frame`` needs ``id``, ``lineage``."""
    missing = {"id", "lineage"} - set(frame.columns)
    if missing:
        raise MedreconError(
            f"Fyndtabellen saknar kolumnerna {', '.join(sorted(missing))}.", exit_code=1
        )
    asked = frame.select(pl.col("id").cast(pl.String), pl.col("lineage").cast(pl.String))
    ids = asked.get_column("id").drop_nulls().unique().to_list()
    current = current_rows(conn, ids)
    seen_rows: list[tuple[object, ...]] = []
    for part in chunks(sorted(ids)):
        query = select(
            findings.c.id, findings.c.first_seen, findings.c.last_seen, findings.c.gone_at
        ).where(findings.c.id.in_(part))
        seen_rows.extend(tuple(row) for row in conn.execute(query))
    previous = lineage_previous(conn, asked.get_column("lineage").drop_nulls().to_list(), ids)

    decided = pl.DataFrame(
        [
            (fid, rec.action, rec.comment, rec.actor, rec.decided_at, rec.id)
            for fid, rec in current.items()
        ],
        schema={
            "id": pl.String(),
            "raw_action": pl.String(),
            "raw_comment": pl.String(),
            "raw_by": pl.String(),
            "raw_at": pl.String(),
            "decision_id": pl.Int64(),
        },
        orient="row",
    )
    seen = pl.DataFrame(
        seen_rows,
        schema={
            "id": pl.String(),
            "first_seen": pl.String(),
            "last_seen": pl.String(),
            "gone_at": pl.String(),
        },
        orient="row",
    )
    prev = pl.DataFrame(
        [(lin, rec.action, rec.actor, rec.decided_at) for lin, rec in previous.items()],
        schema={
            "lineage": pl.String(),
            "previous_action": pl.String(),
            "previous_decided_by": pl.String(),
            "previous_decided_at": pl.String(),
        },
        orient="row",
    )
    standing = pl.col("raw_action").is_not_null() & (pl.col("raw_action") != WITHDRAWN)
    out = (
        asked.join(decided, on="id", how="left", maintain_order="left")
        .join(seen, on="id", how="left", maintain_order="left")
        .join(prev, on="lineage", how="left", maintain_order="left")
        .with_columns(
            status=pl.when(standing).then(pl.lit("decided")).otherwise(pl.lit("open")),
            action=pl.when(standing).then(pl.col("raw_action")),
            comment=pl.when(standing).then(pl.col("raw_comment")),
            decided_by=pl.when(standing).then(pl.col("raw_by")),
            decided_at=pl.when(standing).then(pl.col("raw_at")),
        )
        .with_columns(
            action_label=pl.col("action").replace_strict(
                ACTION_LABEL, default=None, return_dtype=pl.String
            ),
            previous_action_label=pl.col("previous_action").replace_strict(
                ACTION_LABEL, default=None, return_dtype=pl.String
            ),
        )
    )
    return out.select(pl.col(name).cast(dtype) for name, dtype in STATE_SCHEMA.items())

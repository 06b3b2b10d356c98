"""Stable finding ids (docs/judging.md, "Fingerprint").

``id`` is the first 16 hex characters of SHA-256 over the patient id, the kind, the
substance and, for every line involved (sorted), its line id and clinical content.
``lineage`` is the same over patient, kind and substance only, so a decision taken on a
finding can be offered again when its lines change (new id, same lineage).

The canonical strings are built with polars; the hashing uses hashlib on the distinct
strings, because polars' own hash is not stable across versions.
"""

from __future__ import annotations

import hashlib

import polars as pl

FIELD_SEP = "\x1e"
LINE_SEP = "\x1d"


def sha16(texts: pl.Series) -> pl.Series:
    """16-hex SHA-256 prefix of each string.

    Each finding's content string is (nearly always) distinct, so hashing the strings
    directly is cheaper than deduplicating them and joining the digests back.
    """
    digests = [hashlib.sha256(t.encode("utf-8")).hexdigest()[:16] for t in texts.to_list()]
    return pl.Series(texts.name, digests, dtype=pl.String)


def lineage_text() -> pl.Expr:
    return pl.concat_str(
        [pl.col("patient_id"), pl.col("kind"), pl.col("substance").fill_null("")],
        separator=FIELD_SEP,
    )


def content_text() -> pl.Expr:
    """Patient, kind, substance and the sorted contents of every line involved."""
    contents = pl.concat_list(
        pl.col("c_contents").fill_null(pl.lit([], pl.List(pl.String))),
        pl.col("p_contents").fill_null(pl.lit([], pl.List(pl.String))),
    )
    return pl.concat_str(
        [lineage_text(), contents.list.sort().list.join(LINE_SEP)], separator=FIELD_SEP
    )


def with_fingerprints(findings: pl.DataFrame) -> pl.DataFrame:
    """Add ``id`` and ``lineage`` (findings need ``c_contents`` / ``p_contents``)."""
    texts = findings.select(id=content_text(), lineage=lineage_text())
    return findings.with_columns(sha16(texts["id"]), sha16(texts["lineage"]))

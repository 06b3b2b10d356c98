"""Which lines a rule list names, by ATC prefix or by substance, as joins.

Rule lists (high-risk drugs, drugs to avoid for the elderly) name ATC prefixes of a few
lengths and substance names. Instead of testing every line against every prefix, the
lines' ATC codes are cut to each prefix length in use and joined to the rule table.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl


def matching_rows(
    lines: pl.DataFrame, entries: Iterable[tuple[str, Iterable[str], Iterable[str]]]
) -> pl.DataFrame:
    """``_row, code`` for every line named by an entry ``(code, atc_prefixes, substances)``.

    ``lines`` needs ``_row``, ``resolved_atc`` and ``substances`` (a line of a
    combination matches when any component is named).
    """
    by_atc: list[tuple[str, str]] = []
    by_name: list[tuple[str, str]] = []
    for code, prefixes, names in entries:
        by_atc += [(code, p.upper()) for p in prefixes]
        by_name += [(code, n.lower()) for n in names]
    found: list[pl.DataFrame] = [pl.DataFrame(schema={"_row": pl.UInt32, "code": pl.String})]
    atc_table = pl.DataFrame(by_atc, schema=["code", "prefix"], orient="row")
    for length in sorted({len(p) for _, p in by_atc}):
        part = atc_table.filter(pl.col("prefix").str.len_chars() == length)
        cut = lines.select(
            "_row", prefix=pl.col("resolved_atc").str.to_uppercase().str.slice(0, length)
        )
        found.append(cut.join(part, on="prefix").select("_row", "code"))
    if by_name:
        name_table = pl.DataFrame(by_name, schema=["code", "name"], orient="row")
        components = lines.select("_row", name=pl.col("substances")).explode(
            "name", empty_as_null=False
        )
        found.append(components.join(name_table, on="name").select("_row", "code"))
    return pl.concat(found).unique()

"""Splitting decoded CSV bytes into records and fields, vectorised, with line numbers.

polars' CSV reader pads short rows and (optionally) truncates long ones without saying
so; an export must not lose or invent a cell that way. So the physical lines are read
first (one string each, numbered), each record's fields are counted against the header,
and only then polars parses the fields. A record is one line unless a quoted field
spans lines (an odd number of quotes), which is the slower path.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

LINE = "line"
TEXT = "text"
FIELDS = "fields"
_UNUSED_SEPARATOR = "\x1f"  # never in a file that passed the control-character check
_REGEX_SEPARATOR = {";": ";", ",": ",", "\t": r"\t"}


def column_name(index: int) -> str:
    """Positional column name in a raw table (headers may repeat or be empty)."""
    return f"c{index}"


def _source(data: Path | bytes) -> Path | io.BytesIO:
    return data if isinstance(data, Path) else io.BytesIO(data)


def physical_lines(data: Path | bytes) -> pl.DataFrame:
    """Every line of UTF-8 ``data`` (a file or bytes) as one string, numbered from 1.

    An empty line is null.
    """
    lines = pl.read_csv(
        _source(data),
        has_header=False,
        separator=_UNUSED_SEPARATOR,
        quote_char=None,
        schema={TEXT: pl.String()},
    )
    return lines.with_row_index(LINE, offset=1).with_columns(pl.col(LINE).cast(pl.Int64))


def has_multiline_records(lines: pl.DataFrame) -> bool:
    """True when some line has an odd number of quotes (a quoted field goes on)."""
    quotes = pl.col(TEXT).str.count_matches('"', literal=True)
    return bool(lines.select((quotes % 2 == 1).any()).item())


def unclosed_quote_line(lines: pl.DataFrame) -> int | None:
    """The line where a quoted field starts that is never closed, if there is one."""
    quotes = pl.col(TEXT).fill_null("").str.count_matches('"', literal=True)
    state = lines.select(LINE, open_after=quotes.cum_sum() % 2 == 1)
    if state.height == 0 or not state.item(-1, "open_after"):
        return None
    # The last line that ends balanced is followed by the line that opens the quote.
    balanced = state.filter(~pl.col("open_after"))
    return int(balanced.item(-1, LINE)) + 1 if balanced.height else 1


def join_multiline(lines: pl.DataFrame) -> pl.DataFrame:
    """Group lines into records: a record starts where the quotes before it are balanced."""
    quotes = pl.col(TEXT).fill_null("").str.count_matches('"', literal=True)
    return (
        lines.with_columns(open_before=(quotes.cum_sum() - quotes) % 2 == 1)
        .with_columns(record=(~pl.col("open_before")).cum_sum())
        .group_by("record", maintain_order=True)
        .agg(pl.col(LINE).first(), pl.col(TEXT).fill_null("").str.join("\n"))
        .drop("record")
    )


def non_blank(records: pl.DataFrame) -> pl.DataFrame:
    return records.filter(pl.col(TEXT).is_not_null() & (pl.col(TEXT).str.strip_chars() != ""))


def _quoted_field_count(record: pl.Expr, sep: str) -> pl.Expr:
    """Fields in a record: a quoted field may hold the separator, quotes doubled inside.

    Like RFC 4180 (and polars), a quote is special only at the start of a field.
    """
    s = _REGEX_SEPARATOR[sep]
    return record.str.count_matches(rf'(?:^|{s})(?:"(?:[^"]|"")*"|[^{s}]*)')


QUOTES_OK = "quotes_ok"


def _quotes_ok(record: pl.Expr, sep: str) -> pl.Expr:
    """True when every field that starts with a quote also ends with one at the separator.

    polars refuses a file with ``"a"b`` in it; such a record is rejected on its own instead.
    """
    s = _REGEX_SEPARATOR[sep]
    field = rf'(?:"(?:[^"]|"")*"|[^"{s}][^{s}]*|)'
    return record.str.contains(rf"^{field}(?:{s}{field})*$")


def count_fields(records: pl.DataFrame, sep: str) -> pl.DataFrame:
    """Add ``FIELDS`` and ``QUOTES_OK``; the regexes run only on records with quotes."""
    counted = records.with_columns(
        (pl.col(TEXT).str.count_matches(sep, literal=True) + 1).cast(pl.Int64).alias(FIELDS),
        pl.lit(True).alias(QUOTES_OK),
    )
    quoted = counted.filter(pl.col(TEXT).str.contains('"', literal=True))
    if quoted.height == 0:
        return counted
    recount = quoted.select(
        LINE,
        _quoted_field_count(pl.col(TEXT), sep).cast(pl.Int64).alias(FIELDS),
        _quotes_ok(pl.col(TEXT), sep).alias(QUOTES_OK),
    )
    return counted.update(recount, on=LINE)


def quotes_ok(record: str, sep: str) -> bool:
    return bool(pl.select(_quotes_ok(pl.lit(record), sep)).item())


def field_count_of(record: str, sep: str) -> int:
    return int(pl.select(_quoted_field_count(pl.lit(record), sep)).item())


def parse_fields(data: Path | bytes, sep: str, width: int) -> pl.DataFrame:
    """polars' CSV parse of UTF-8 ``data`` (a file or bytes) into ``width`` string columns."""
    return pl.read_csv(
        _source(data),
        has_header=False,
        separator=sep,
        quote_char='"',
        schema={column_name(i): pl.String() for i in range(width)},
        infer_schema=False,
    )


def parse_records(texts: pl.Series, sep: str, width: int) -> pl.DataFrame:
    """Parse records whose field count is known to be ``width`` (one row per record)."""
    body = texts.str.join("\n").item() + "\n"
    return parse_fields(body.encode("utf-8"), sep, width)

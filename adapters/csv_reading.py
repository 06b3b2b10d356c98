"""A CSV/TXT export into a raw table: polars parses, the careful path takes the odd rows.

1. The text becomes UTF-8 (``encoding``); the header row is read and the separator chosen.
2. ``csv_scan`` finds every line's byte range, field count, quotes and control characters
   (while polars already parses, in a second thread).
3. Lines that are plainly one good row are left to polars' own multithreaded reader.
   Every other line goes through ``csv_records`` one by one: a row with the wrong number
   of fields, broken quotes or a control character in a cell is rejected with its line
   number and reason, and a quoted field over several lines becomes one row.
4. polars' rows, one per physical line, are picked with their line numbers; records the
   careful path read (a multi-line text, a literal quote) come from its own fields. When
   a careful line holds a quote (which polars' splitting into chunks would misread), it
   is blanked in the copy and polars parses once more.

The whole file is refused only when it cannot be a table at all: empty, binary, an
unknown separator, a broken header, text in an undecidable or mixed encoding.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import polars as pl

from adapters.csv_records import (
    LINE,
    SEPARATOR_NAME,
    Ending,
    Record,
    careful_records,
    choose_separator,
    column_name,
    split_record,
    unknown_separator,
)
from adapters.csv_scan import LineScan, lone_carriage_return, scan_lines, with_fields
from adapters.encoding import (
    SAMPLE_BYTES,
    check_mojibake,
    decode_non_utf8,
    has_utf8_bom,
    refuse_binary,
    utf16_order,
    utf16_to_utf8,
)
from adapters.raw_table import MALFORMED_SCHEMA, RawTable
from adapters.source import ExportCopy, unusable

_HEADER_LINES = 50  # a header row continued over more lines than this is no header


class _NotUtf8(Exception):
    """The text is not valid UTF-8: decode it in Python and try again."""


def read_csv(copy: ExportCopy) -> RawTable:
    path = copy.path
    head = copy.head(SAMPLE_BYTES)
    refuse_binary(path, head)
    order = utf16_order(head)
    if order is not None:
        copy.replace_content(utf16_to_utf8(path, bytes(copy.view), order))
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig" if has_utf8_bom(head) else "utf-8"
    _one_kind_of_line_end(copy)
    try:
        return _parse(copy, encoding)
    except _NotUtf8:
        if encoding == "utf-16":
            raise unusable(path, "texten kunde inte tolkas som UTF-16.") from None
    data, encoding = decode_non_utf8(path, bytes(copy.view))
    copy.replace_content(data)
    _one_kind_of_line_end(copy)
    try:
        return _parse(copy, encoding)
    except _NotUtf8:  # pragma: no cover - converted text is valid UTF-8
        raise unusable(path, "teckenkodningen kunde inte avgöras.") from None


def _one_kind_of_line_end(copy: ExportCopy) -> None:
    """Old Mac files end lines with a lone CR: make them LF (polars knows LF and CR LF)."""
    if lone_carriage_return(np.frombuffer(copy.view, dtype=np.uint8)):
        data = bytes(copy.view).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        copy.replace_content(data)


def _header(copy: ExportCopy) -> tuple[list[str], str, int]:
    """Header cells, separator, and the number of lines up to the end of the header."""
    view = copy.view
    at, line_count, text = 0, 0, ""
    while at < len(view):
        end = view.find(b"\n", at)
        end = len(view) if end < 0 else end
        try:
            piece = bytes(view[at:end]).decode("utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8 from None
        at, line_count = end + 1, line_count + 1
        piece = piece.removeprefix("\ufeff").removesuffix("\r")
        if not text and not piece.strip():
            continue
        text = f"{text}\n{piece}" if text else piece
        sep = choose_separator(text)
        cells, ending = split_record(text, sep)
        if ending is Ending.OPEN_QUOTE and line_count < _HEADER_LINES:
            continue
        if ending is not Ending.COMPLETE:
            raise unusable(
                copy.path, "rubrikraden har felaktiga citattecken och går inte att tolka."
            )
        other = unknown_separator(text)
        if other is not None:
            names = list(SEPARATOR_NAME.values())
            accepted = ", ".join(names[:-1]) + " eller " + names[-1]
            raise unusable(
                copy.path,
                f'avgränsaren mellan kolumnerna verkar vara "{other}", som inte stöds. '
                f"Exportera filen med {accepted} som avgränsare.",
            )
        return cells, sep, line_count
    raise unusable(copy.path, "den är tom.")


def _parse(copy: ExportCopy, encoding: str) -> RawTable:
    path = copy.path
    headers, sep, header_lines = _header(copy)
    width = len(headers)
    first = header_lines  # index of the first data line
    # polars parses while numpy scans (both release the GIL); the parse is redone only
    # when the scan finds lines polars must not see. polars reads one column more than
    # the header: a value there marks a line with too many fields.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="medrecon-parse") as pool:
        parsing = pool.submit(_parse_rows, copy, sep, width + 1, first)
        try:
            buffer = np.frombuffer(copy.view, dtype=np.uint8)
            check_mojibake(path, buffer)
            scan = scan_lines(buffer, ord(sep), exact=False)
            if not scan.exact:
                scan = _complete(scan, buffer, ord(sep), first, width, parsing)
            del buffer  # the scan keeps positions only
            data = slice(first, scan.count)
            blank = scan.ends[data] == scan.starts[data]
            plain = (
                ~blank
                & (scan.quotes[data] % 2 == 0)
                & ~scan.misplaced_quote[data]
                & ~scan.control[data]
                & (scan.fields[data] == width)
            )
            careful_lines = (np.flatnonzero(~plain & ~blank) + first + 1).tolist()
            records = careful_records(careful_lines, _text_reader(copy, scan), sep, headers)
        finally:
            first_parse = parsing.exception() or parsing.result()
    # polars reads the plain lines only: every line the careful path took is blanked
    # when it holds a quote (polars' own splitting into chunks counts quotes), so that
    # polars gives exactly one row per physical line. Good records the careful path
    # found (a multi-line text, a literal quote) come from its own fields.
    to_blank = [
        (int(scan.starts[line - 1]), int(scan.ends[line - 1]))
        for record in records
        for line in range(record.line, record.last_line + 1)
        if scan.quotes[line - 1]
    ]
    if to_blank:
        copy.blank_out(to_blank)
        rows = _parse_rows(copy, sep, width + 1, first)
    elif isinstance(first_parse, BaseException):
        raise first_parse
    else:
        rows = first_parse
    if rows.height != scan.count - first:
        raise unusable(
            path, "citattecknen i filen kunde inte tolkas entydigt (ett citattecken saknas?)."
        )
    rows = rows.drop(column_name(width))
    if not plain.all():
        rows = rows.filter(pl.Series(plain))
    rows = rows.insert_column(0, pl.Series(LINE, np.flatnonzero(plain) + first + 1, dtype=pl.Int64))
    good = [r for r in records if r.problem is None]
    if good:
        careful = pl.DataFrame(
            [[r.line, *r.fields] for r in good],
            schema=rows.schema,
            orient="row",
        )
        rows = pl.concat([rows, careful]).sort(LINE)
    malformed = pl.DataFrame(
        {
            LINE: [r.line for r in records if r.problem is not None],
            "reason": [r.problem for r in records if r.problem is not None],
            "cells": [r.fields for r in records if r.problem is not None],
        },
        schema=MALFORMED_SCHEMA,
    )
    return RawTable(
        path=path,
        file_type="csv",
        encoding=encoding,
        separator=sep,
        headers=headers,
        rows=rows,
        malformed=malformed,
        size=copy.size,
        sha256=copy.sha256(),
        padded=scan.padded or bool(good),
    )


def _complete(
    scan: LineScan,
    buffer: np.ndarray,
    separator: int,
    first: int,
    width: int,
    parsing: Future[pl.DataFrame],
) -> LineScan:
    """The quick scan's field counts from polars' rows, else an exact scan."""
    rows = None if parsing.exception() else parsing.result()
    if rows is not None and rows.height == scan.count - first:
        hint = rows.select(
            pl.col(column_name(width - 1)).is_null() | pl.col(column_name(width)).is_not_null()
        ).to_series()
        completed = with_fields(scan, buffer, separator, first, width, hint.to_numpy())
        if completed is not None:
            return completed
    return scan_lines(buffer, separator, exact=True)


def _text_reader(copy: ExportCopy, scan: LineScan) -> Callable[[int, int], str]:
    """The text of lines first..last (1-based), line ends as LF."""
    view = copy.view

    def text_of(first: int, last: int) -> str:
        if last > scan.count:
            raise IndexError(last)
        raw = bytes(view[scan.starts[first - 1] : scan.ends[last - 1]])
        try:
            return raw.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            raise _NotUtf8 from None

    return text_of


def _parse_rows(copy: ExportCopy, sep: str, width: int, skip: int) -> pl.DataFrame:
    """polars' parse of everything after the header: one row per line, ``width`` columns."""
    names = [column_name(i) for i in range(width)]
    try:
        return pl.read_csv(
            copy.polars_source(),
            has_header=False,
            separator=sep,
            quote_char='"',
            skip_lines=skip,
            schema=dict.fromkeys(names, pl.String()),
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.NoDataError:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String()))
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc).lower():
            raise _NotUtf8 from None
        raise unusable(copy.path, "citattecknen i filen kunde inte tolkas entydigt.") from exc
    except pl.exceptions.PolarsError as exc:
        raise unusable(copy.path, "den kunde inte tolkas som en tabell (CSV).") from exc


__all__ = ["Record", "read_csv"]

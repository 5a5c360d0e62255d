"""Delimited text (CSV, semicolons, tabs, pipes) read with DuckDB's CSV reader, and the
checks that refuse what its lenient reader would get wrong silently: broken quoting and
values shifted past the header's columns. Python's csv module finds the line a record
starts on, so that a message names the line the user sees."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import TextIO

import duckdb

from customer360.errors import UserError
from customer360.ingest.common import Source, first_line, literal, quote
from customer360.ingest.sniffing import looks_like_header, numbered_names, unique_names


def read_delimited(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    content: list[str],
    delimiter: str,
    charset: str,
    skip: int = 0,
) -> Source:
    """DuckDB's CSV reader with the sniffed delimiter and header, every column as text;
    `skip` lines before the header (a `sep=` line) are not read."""
    if not content:
        raise UserError(f"{path}: the file has no data rows (only a header, or nothing)")
    rows = list(csv.reader(content[:6], delimiter=delimiter))
    header = looks_like_header(rows[0], rows[1:])
    options = (
        f"delim = {literal(delimiter)}, header = {str(header).lower()}, all_varchar = true, "
        f"quote = '\"', escape = '\"', strict_mode = false, encoding = {literal(charset)}, "
        f"skip = {skip}"
    )
    scan = f"read_csv({literal(str(path))}, {options})"
    try:  # fast and parallel; rows with missing or extra fields need the fallback
        connection.execute(f"create or replace view raw_csv as select * from {scan}")
        records = connection.execute("select count(*) from raw_csv").fetchall()[0][0]
    except duckdb.Error:
        records = 0
    if records == 0 and len(content) > header:  # the fast reader gave up on the rows
        scan = scan[:-1] + ", null_padding = true, parallel = false)"
        try:
            connection.execute(f"create or replace view raw_csv as select * from {scan}")
            records = connection.execute("select count(*) from raw_csv").fetchall()[0][0]
        except duckdb.Error as error:  # say why, when Python's csv module can tell
            check_quotes(path, charset, delimiter)
            if header:
                check_field_counts(path, charset, delimiter, skip, len(rows[0]))
            raise UserError(f"{path}: cannot read as CSV: {first_line(error)}") from error
    if has_quotes(path):
        check_quotes(path, charset, delimiter)
    described = [row[0] for row in connection.execute("describe raw_csv").fetchall()]
    if header:
        width = len(rows[0])
        check_extra_fields(connection, path, charset, delimiter, skip, width, described[width:])
    names = unique_names(described) if header else numbered_names(len(described))
    renamed = ", ".join(
        f"{quote(old)} as {quote(new)}" for old, new in zip(described, names, strict=True)
    )
    numbering = number_records(connection, path, charset, delimiter, header + skip, records)
    connection.execute(
        f"create view source as select {renamed}, {numbering} as _source_row from "
        "(select *, row_number() over () as _record from raw_csv) as raw "
        + ("left join record_lines using (_record)" if numbering == "_line" else "")
    )
    shown = {"\t": "tab", " ": "space"}.get(delimiter, delimiter)
    details = f"delimiter {shown!r}, header: {'yes' if header else 'no'}"
    return Source(path, "CSV", names, records, details, header)


def number_records(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    charset: str,
    delimiter: str,
    before: int,
    records: int,
) -> str:
    """SQL for the line each CSV record starts on, after `before` records (the header
    and a `sep=` line). When every line holds one record the record number says it;
    blank lines or quoted line breaks need a pass over the file."""
    if content_lines(path) == records + before:
        return f"_record + {int(before)}"
    starts = record_starts(path, charset, delimiter)[before:]
    if len(starts) != records:  # the two readers disagree: fall back to record numbers
        return f"_record + {int(before)}"
    import pyarrow as pa

    lines = pa.table({"_record": range(1, records + 1), "_line": starts})
    connection.register("record_lines", lines)
    return "_line"


def open_text(path: Path, charset: str) -> TextIO:
    """The file as text for Python's csv module (a byte-order mark dropped)."""
    python_charset = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(charset, charset)
    return path.open(newline="", encoding=python_charset)


def record_starts(path: Path, charset: str, delimiter: str) -> list[int]:
    """The line each non-blank CSV record starts on (the header included)."""
    csv.field_size_limit(sys.maxsize)
    starts: list[int] = []
    with open_text(path, charset) as file:
        reader = csv.reader(file, delimiter=delimiter)
        previous = 0
        for row in reader:
            if row:
                starts.append(previous + 1)
            previous = reader.line_num
    return starts


def has_quotes(path: Path) -> bool:
    """Whether the file holds a double-quote byte at all."""
    with path.open("rb") as file:
        while chunk := file.read(1 << 22):
            if b'"' in chunk:
                return True
    return False


def check_quotes(path: Path, charset: str, delimiter: str) -> None:
    """Refuse a file whose quoting DuckDB's lenient reader would get wrong, naming the
    line its record starts on: a quote that never closes (the file cut short), or text
    after a closing quote (`"Smith" Jr`, or backslash-escaped quotes), which it would
    cut or merge silently. Spaces between a closing quote and the delimiter are fine."""
    csv.field_size_limit(sys.maxsize)
    spaces = re.compile(rf'"[ ]+(?={re.escape(delimiter)}|\r?\n|$)')
    with open_text(path, charset) as file:
        lines = (spaces.sub('"', line) for line in file)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        previous = 0
        try:
            for _ in reader:
                previous = reader.line_num
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                problem = "a quoted value is not closed; the file may be cut short"
                advice = 'Close the quote (") or remove it'
            else:
                problem = f"text follows a closing quote ({error}), so the value would be cut"
                advice = 'Quote the whole value (backslash escapes like \\" are not CSV)'
            raise UserError(
                f"{path}: line {previous + 1}: {problem}. {advice}; a quote inside a "
                'quoted value is written twice ("").'
            ) from error


def check_extra_fields(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    charset: str,
    delimiter: str,
    skip: int,
    width: int,
    extra: list[str],
) -> None:
    """Refuse a file with values beyond the header's `width` columns: its fields are
    shifted (an unquoted delimiter inside a value, or lines with different delimiters),
    so the values after the shift would land in the wrong columns."""
    if not extra:
        return
    filled = " or ".join(f"nullif(trim({quote(name)}), '') is not null" for name in extra)
    [(count, first)] = connection.execute(
        "select count(*), min(_record) from "
        f"(select *, row_number() over () as _record from raw_csv) where {filled}"
    ).fetchall()
    if not count:
        return
    starts = record_starts(path, charset, delimiter)[skip:]  # [0] is the header
    line = starts[first] if first < len(starts) else first + 1
    raise shifted_fields(path, line, width, count, delimiter)


def check_field_counts(path: Path, charset: str, delimiter: str, skip: int, width: int) -> None:
    """check_extra_fields with Python's csv module, for a file DuckDB cannot read."""
    csv.field_size_limit(sys.maxsize)
    count, first = 0, 0
    with open_text(path, charset) as file:
        reader = csv.reader(file, delimiter=delimiter)
        previous, seen = 0, 0
        for row in reader:
            if row:
                seen += 1
                if seen > skip + 1 and any(value.strip() for value in row[width:]):
                    count, first = count + 1, first or previous + 1
            previous = reader.line_num
    if count:
        raise shifted_fields(path, first, width, count, delimiter)


def shifted_fields(path: Path, line: int, width: int, count: int, delimiter: str) -> UserError:
    """The error for values past the header's columns."""
    shown = {"\t": "tab", " ": "space"}.get(delimiter, delimiter)
    return UserError(
        f"{path}: line {line} has more fields than the header's {width} columns ({count:,} "
        f"such line(s) in the file): a value holds the delimiter {shown!r} without quotes, "
        'or the lines use different delimiters. Quote such values ("Smith, Anna") or '
        "use one delimiter throughout, then ingest the file again."
    )


def content_lines(path: Path) -> int:
    """The number of lines up to the last one that is not blank."""
    newlines, tail = 0, b""
    with path.open("rb") as file:
        while chunk := file.read(1 << 22):
            newlines += chunk.count(b"\n")
            tail = (tail + chunk)[-65536:]
    trailing = tail[len(tail.rstrip(b"\r\n\t ")) :].count(b"\n")
    return newlines - trailing + 1

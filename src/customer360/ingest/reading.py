"""Reading the user's file into DuckDB as the view `source`: every column as text, plus
`_source_row`, the row a user sees in the file. Parquet, Excel and whitespace-separated
text here; delimited text in customer360.ingest.delimited."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from customer360.errors import UserError
from customer360.ingest.common import Source, first_line, literal, quote
from customer360.ingest.delimited import read_delimited
from customer360.ingest.sniffing import (
    encoding,
    looks_like_header,
    numbered_names,
    sample_text,
    sniff_delimiter,
    unique_names,
)

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def read_source(connection: duckdb.DuckDBPyConnection, path: Path, sheet: str | None) -> Source:
    """Load the file as the view `source`: text columns and `_source_row`."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if sheet and suffix not in EXCEL_SUFFIXES:
        raise UserError(f"{path}: --sheet applies to Excel files only")
    kind = "Parquet" if suffix == ".parquet" else "Excel" if suffix in EXCEL_SUFFIXES else "CSV"
    try:
        if kind == "Parquet":
            source = read_parquet(connection, path)
        elif kind == "Excel":
            source = read_excel(connection, path, sheet)
        else:
            source = read_text(connection, path)
    except UserError:
        raise
    except (duckdb.Error, ValueError, KeyError, OSError, ImportError) as error:
        raise UserError(f"{path}: cannot read as {kind}: {first_line(error)}") from error
    if source.rows == 0:
        raise UserError(f"{path}: the file has no data rows (only a header, or nothing)")
    return source


def read_parquet(connection: duckdb.DuckDBPyConnection, path: Path) -> Source:
    """Every column cast to text; the row number is the row index + 1."""
    scan = f"read_parquet({literal(str(path))})"
    described = [row[0] for row in connection.execute(f"describe select * from {scan}").fetchall()]
    names = unique_names(described)
    text = ", ".join(
        f"cast({quote(old)} as varchar) as {quote(new)}"
        for old, new in zip(described, names, strict=True)
    )
    connection.execute(
        f"create view source as select {text}, file_row_number + 1 as _source_row "
        f"from read_parquet({literal(str(path))}, file_row_number = true)"
    )
    return Source(path, "Parquet", names, count_rows(connection), "typed columns")


def read_excel(connection: duckdb.DuckDBPyConnection, path: Path, sheet: str | None) -> Source:
    """One sheet read as text; the row number is the sheet row."""
    import pandas as pd

    frame = pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=str)
    frame = frame.dropna(how="all")
    if frame.empty:
        raise UserError(f"{path}: the sheet {sheet or '(first)'} is empty")
    cells = frame.fillna("").astype(str).values.tolist()
    header = looks_like_header(cells[0], cells[1:6])
    names = unique_names(cells[0]) if header else numbered_names(len(cells[0]))
    body = frame.iloc[1:] if header else frame
    body = body.astype(object).where(body.notna(), None)
    body.columns = names
    body["_source_row"] = body.index + 1  # pandas keeps blank rows in the index
    connection.register("excel_rows", body)
    text = ", ".join(f"cast({quote(name)} as varchar) as {quote(name)}" for name in names)
    connection.execute(f"create view source as select {text}, _source_row from excel_rows")
    details = f"sheet {sheet or '1'}, header: {'yes' if header else 'no'}"
    return Source(path, "Excel", names, count_rows(connection), details, header)


def read_text(connection: duckdb.DuckDBPyConnection, path: Path) -> Source:
    """A delimited file, or one whose fields are separated by runs of whitespace."""
    charset = encoding(path)
    lines = sample_text(path, charset)
    content = [line for line in lines if line.strip()]
    if not content:
        raise UserError(f"{path}: the file is empty (only blank lines)")
    if directive := re.fullmatch(r"sep=(.)", lines[0].strip(), flags=re.IGNORECASE):
        # Excel's first line naming the delimiter of the lines below, e.g. `sep=;`
        return read_delimited(connection, path, content[1:], directive[1], charset, skip=1)
    delimiter = sniff_delimiter(content)
    if delimiter is None and all(len(line.split()) > 1 for line in content[:20]):
        return read_whitespace(connection, path, lines, charset)
    return read_delimited(connection, path, content, delimiter or ",", charset)


def read_whitespace(
    connection: duckdb.DuckDBPyConnection, path: Path, lines: list[str], charset: str
) -> Source:
    """Fields separated by runs of spaces or tabs (no quoting), e.g. the CDNOW files.
    Whole lines are read by DuckDB and split with a regular expression."""
    first = next(index for index, line in enumerate(lines) if line.strip())
    rows = [line.split() for line in lines[first:] if line.strip()][:6]
    header = looks_like_header(rows[0], rows[1:])
    skip = first + 1 if header else 0  # the header's line number
    connection.execute(
        "create temp table split_lines as select "
        r"regexp_split_to_array(regexp_replace(line, '^[\s\x{feff}]+|\s+$', '', 'g'), '\s+') "
        "as parts, line_number from (select line, row_number() over () as line_number "
        f"from read_csv({literal(str(path))}, columns = {{'line': 'VARCHAR'}}, "
        "delim = '\\x01', quote = '', escape = '', header = false, auto_detect = false, "
        f"encoding = {literal(charset)})) "
        rf"where not regexp_full_match(coalesce(line, ''), '[\s\x{{feff}}]*') "
        f"and line_number > {skip}"
    )
    [(width, rows_read)] = connection.execute(
        "select coalesce(max(len(parts)), 0), count(*) from split_lines"
    ).fetchall()
    names = unique_names(rows[0]) if header else []
    names += numbered_names(width)[len(names) :]
    fields = ", ".join(f"parts[{i}] as {quote(name)}" for i, name in enumerate(names, start=1))
    connection.execute(
        f"create view source as select {fields}, line_number as _source_row from split_lines"
    )
    details = f"whitespace-separated, header: {'yes' if header else 'no'}"
    return Source(path, "text", names, rows_read, details, header)


def count_rows(connection: duckdb.DuckDBPyConnection) -> int:
    return connection.execute("select count(*) from source").fetchall()[0][0]

"""`customer360 ingest`: map a user's file onto the landing contract.

Reads CSV (any delimiter), whitespace-separated text, Excel or Parquet; sniffs the
delimiter, the header, the date formats and the decimal separator; maps columns by
explicit `--map` or by name (case and punctuation ignored, common synonyms known); prints
the mapping, a preview and a validation report that predicts what staging will do, with
the same rules and reason codes, generated from the contract; then writes landing Parquet
atomically. All the row work happens in DuckDB.

A file without a header row gets the column names `column1`, `column2`, ... in file
order, so its columns are mapped with `--map customer_id=column1`.

Landed files hold every contract column as text (dates normalised to ISO, numbers to a
plain decimal point; a value that does not parse is kept as it is, so staging rejects it
with the raw value), plus `_source_file` and `_source_row`: the user's file and the row a
user sees there (for a text file the line number with the header as line 1, for Excel the
sheet row, for Parquet the row index + 1).

A flat transaction file (`--entity transactions`: one row per purchase or line) becomes
orders + order_items, plus products when only a category names the product. An `events`
file with an amount also becomes orders + order_items: one line per event with a positive
amount.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TextIO

import duckdb

from customer360 import contract, landing_commit
from customer360 import staging_rules as rules
from customer360.contract import Entity
from customer360.errors import UserError
from customer360.project import landing_dir, project_vars

TRANSACTIONS = "transactions"
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
PREVIEW_ROWS = 5
SAMPLE_ROWS = 2000
RESERVED = ("_source_file", "_source_row")
# The Parquet metadata key naming the kind of ingest (`--entity`) that wrote a landed file.
INGEST_KEY = "c360_ingest"

# Other names a column goes by, compared after lower-casing and dropping everything but
# letters and digits.
SYNONYMS: dict[str, list[str]] = {
    "customer_id": ["customerid", "custid", "customer", "clientid", "client", "userid",
                    "memberid", "membernumber", "memberno", "member", "customerno",
                    "customernumber", "accountid"],
    "order_id": ["orderid", "invoiceno", "invoice", "invoiceid", "transactionid",
                 "ordernumber", "orderno", "receiptid"],
    "ordered_at": ["orderdate", "transactiondate", "date", "invoicedate", "purchasedate",
                   "timestamp", "datetime", "orderedat", "transactiontime", "orderdatetime"],
    "amount": ["transactionamount", "amount", "total", "sales", "revenue", "revenueimpact",
               "value", "ordervalue", "linetotal", "totalamount"],
    "quantity": ["qty", "units", "quantity", "count"],
    "product_id": ["productid", "stockcode", "sku", "item", "itemid", "productcode", "product",
                   "itemdescription", "itemname", "article", "articleid"],
    "category": ["productcategory", "category", "productline", "department"],
    "unit_price": ["unitprice", "priceeach", "itemprice", "price"],
    "discount_amount": ["discount", "discountamount"],
    "unit_cost": ["unitcost", "costeach", "cost"],
    "line_number": ["line", "lineno", "linenumber"],
    "channel": ["channel", "saleschannel"],
    "store_id": ["storeid", "store", "shopid", "shop"],
    "status": ["status", "orderstatus"],
    "event_at": ["eventdate", "date", "timestamp", "eventtime", "datetime", "eventat"],
    "event_type": ["eventtype", "type", "event", "activity"],
    "email": ["email", "emailaddress", "mail"],
    "full_name": ["name", "fullname", "customername"],
    "product_name": ["productname", "name", "description", "title"],
    "received_on": ["receivedon", "receiveddate", "date", "deliverydate"],
    "quantity_received": ["quantityreceived", "qtyreceived", "received", "quantity", "qty"],
    "logged_at": ["loggedat", "timestamp", "datetime", "date", "time"],
    "contacted_at": ["contactedat", "contactdate", "date", "sentat"],
}  # fmt: skip

# The columns of a flat transaction file, and which of them must be found: only the time.
# Without a customer a line belongs to an anonymous (guest) order; without an amount or a
# price (a basket-only file) its revenue is unknown, never 0.
TRANSACTION_COLUMNS = [
    "customer_id", "ordered_at", "amount", "quantity", "unit_price", "order_id", "product_id",
    "product_name", "category", "discount_amount", "unit_cost", "line_number", "channel",
    "store_id", "status",
]  # fmt: skip
TRANSACTION_REQUIRED = ["ordered_at"]

# Date formats tried when sniffing, after ISO 8601 (which DuckDB casts directly), each
# with or without a time of day. On a tie the earlier wins, so month-first beats
# day-first unless a day above 12 proves it.
ISO = "ISO 8601"
DATE_FORMATS = [
    "%Y%m%d", "%Y/%m/%d", "%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y",
    "%d.%m.%y", "%m-%d-%Y", "%d-%m-%Y", "%d-%b-%Y", "%d %b %Y", "%b %d %Y", "%d-%b-%y",
]  # fmt: skip
TIMES_OF_DAY = [" %H:%M:%S", " %H:%M", " %H:%M:%S.%f", " %I:%M:%S %p", " %I:%M %p", "T%H:%M:%S"]

# Numbers whose separators say which is the decimal mark; ambiguous `1,234` / `1.234`
# follow the convention of the rest of the column.
POINT_DECIMAL = (
    r"-?(\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,}|\d*\.\d{1,2}|\d*\.\d{4,}|\d{4,}\.\d+|0\.\d+)"
)
COMMA_DECIMAL = (
    r"-?(\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,}|\d*,\d{1,2}|\d*,\d{4,}|\d{4,},\d+|0,\d+)"
)
AMBIGUOUS_COMMA = r"-?\d{1,3},\d{3}"
AMBIGUOUS_POINT = r"-?\d{1,3}\.\d{3}"


def normalise(name: str) -> str:
    """A column name compared without case and punctuation: `Customer-ID` -> customerid."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def quote(identifier: str) -> str:
    """A SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def first_line(error: BaseException) -> str:
    """The first line of an exception's message: DuckDB's can run to many."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@dataclass
class Source:
    """The user's file as the DuckDB view `source`: text columns plus `_source_row`."""

    path: Path
    kind: str
    columns: list[str]
    rows: int
    details: str = ""
    header: bool = True


@dataclass
class Output:
    """One landing file to write: an entity and the SQL that produces its rows."""

    entity: Entity
    sql: str


@dataclass
class Report:
    """What ingest found and predicted; `counts` is {entity: {outcome: rows}}, where an
    outcome is 'staged', 'duplicate' (an exact copy, dropped) or a reject reason."""

    mapping: dict[str, str]
    ignored: list[str]
    date_formats: dict[str, str] = field(default_factory=dict)
    number_formats: dict[str, str] = field(default_factory=dict)
    date_spans: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------- reading


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


def encoding(path: Path) -> str:
    """'utf-8' when the whole file decodes as UTF-8, 'utf-16' for UTF-16 with a
    little-endian byte-order mark (Excel's "Unicode text"), else 'latin-1'. A file with
    NUL bytes that is none of these is refused: it is binary, or text in an encoding
    that would land as garbage."""
    with path.open("rb") as file:
        start = file.read(65536)
        if start.startswith(b"\xff\xfe") and not start.startswith(b"\xff\xfe\x00\x00"):
            return "utf-16"
        if (nul := start.find(b"\x00")) >= 0:
            raise UserError(
                f"{path}: not a text file ingest can read: it holds NUL bytes at byte "
                f"{nul + 1:,} (binary data, or UTF-16 big-endian or UTF-32 "
                "text). Save it as CSV in UTF-8 (Excel: 'CSV UTF-8'), or give an Excel or "
                "Parquet file its .xlsx or .parquet suffix."
            )
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(start)
            while chunk := file.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8"


def sample_text(path: Path, charset: str, size: int = 65536) -> list[str]:
    """The first lines of the file (a last, possibly cut line dropped)."""
    with path.open("rb") as file:
        raw = file.read(size)
    python_charset = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(charset, charset)
    text = raw.decode(python_charset, errors="replace")
    lines = text.splitlines()
    return lines[:-1] if len(raw) == size and len(lines) > 1 else lines


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter that splits the first line and most of the others into the same
    number (> 1) of fields: the most consistent, then the most fields."""
    sample = lines[:50]
    best, best_key = None, (0.0, 1)
    for delimiter in [",", ";", "\t", "|"]:
        widths = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        width, hits = Counter(widths).most_common(1)[0]
        key = (hits / len(widths), width)
        if width > 1 and widths[0] == width and key[0] >= 0.6 and key > best_key:
            best, best_key = delimiter, key
    return best


def looks_like_value(text: str) -> bool:
    """A number or a date: something a header cell is not."""
    text = text.strip()
    return bool(re.fullmatch(r"[-+$€£]?[\d.,:/ T-]+", text)) and any(c.isdigit() for c in text)


@cache
def known_names() -> frozenset[str]:
    """Every contract column name and synonym, normalised."""
    names = {normalise(name) for names in SYNONYMS.values() for name in names}
    names |= {normalise(name) for name in SYNONYMS}
    for entity in contract.load().values():
        names |= {normalise(name) for name in entity.column_names}
    return frozenset(names)


def looks_like_header(first: list[str], following: list[list[str]]) -> bool:
    """Whether the first row names the columns. A number or a date says no; a known
    column name says yes; else yes when the rows below hold numbers or dates, or when the
    names are distinct and do not recur below."""
    cells = [cell.strip() for cell in first]
    if any(looks_like_value(cell) for cell in cells):
        return False
    if any(normalise(cell) in known_names() for cell in cells):
        return True
    if any(looks_like_value(cell) for row in following for cell in row):
        return True
    below = {cell.strip() for row in following for cell in row}
    return all(cells) and len(set(cells)) == len(cells) and not set(cells) & below


def unique_names(cells: list[str]) -> list[str]:
    """Header cells as distinct column names; blanks become columnN, and names ingest
    itself writes get a trailing underscore."""
    names: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = str(cell).strip() or f"column{index}"
        while name in names or name in RESERVED:
            name += "_"
        names.append(name)
    return names


def numbered_names(count: int) -> list[str]:
    """The names of a headerless file's columns."""
    return [f"column{index}" for index in range(1, count + 1)]


def count_rows(connection: duckdb.DuckDBPyConnection) -> int:
    return connection.execute("select count(*) from source").fetchall()[0][0]


# ---------------------------------------------------------------- mapping


def target_columns(entity_name: str, entities: dict[str, Entity]) -> tuple[list[str], list[str]]:
    """The columns a file for the entity can map, and those it must map."""
    if entity_name == TRANSACTIONS:
        return TRANSACTION_COLUMNS, TRANSACTION_REQUIRED
    entity = entities[entity_name]
    return entity.column_names, [c.name for c in entity.columns if entity.must_map(c)]


def columns_hint(source: Source) -> str:
    """The file's columns, and how a headerless file's columns are named."""
    listed = ", ".join(source.columns)
    if len(source.columns) == 1 and source.kind == "CSV":
        return (
            f"The file reads as one column ({listed}): its delimiter is none of comma, "
            "semicolon, tab, | or runs of spaces. Save it with one of those delimiters."
        )
    if source.header:
        return f"Columns in the file: {listed}"
    return (
        f"The file has no header row, so its columns are named by position: {listed} "
        "(write e.g. --map customer_id=column1)"
    )


def explicit_mapping(
    source: Source, entity_name: str, targets: list[str], explicit: list[str]
) -> dict[str, str]:
    """The --map TARGET=SOURCE options, checked against the entity and the file."""
    by_normal = {normalise(name): name for name in source.columns}
    mapping: dict[str, str] = {}
    for item in explicit:
        target, sep, wanted = (part.strip() for part in item.partition("="))
        if not sep or not target or not wanted:
            raise UserError(f"--map {item!r}: write it as TARGET=SOURCE, e.g. customer_id=CustID")
        if target not in targets:
            raise UserError(
                f"--map {item!r}: {entity_name} has no column {target!r}; "
                f"its columns are: {', '.join(targets)}"
            )
        found = wanted if wanted in source.columns else by_normal.get(normalise(wanted))
        if found is None:
            raise UserError(
                f"{source.path}: no column {wanted!r} for --map {item!r}. {columns_hint(source)}"
            )
        mapping[target] = found
    return mapping


def resolve_mapping(
    source: Source, entity_name: str, entities: dict[str, Entity], explicit: list[str]
) -> dict[str, str]:
    """target column -> source column: --map first, then names and synonyms."""
    targets, required = target_columns(entity_name, entities)
    mapping = explicit_mapping(source, entity_name, targets, explicit)
    by_normal = {normalise(name): name for name in source.columns}
    used = set(mapping.values())
    for target in targets:
        if target in mapping:
            continue
        for candidate in [normalise(target), *SYNONYMS.get(target, [])]:
            name = by_normal.get(candidate)
            if name is not None and name not in used:
                mapping[target] = name
                used.add(name)
                break
    for target in required:
        if target not in mapping:
            looked_for = ", ".join(dict.fromkeys([normalise(target), *SYNONYMS.get(target, [])]))
            raise UserError(
                f"{source.path}: no column for the required {target!r} of {entity_name} "
                f"(looked for: {looked_for}; case and punctuation ignored). Map one with "
                f"--map {target}=<column>. {columns_hint(source)}"
            )
    return {target: mapping[target] for target in targets if target in mapping}


# ---------------------------------------------------------------- values


def check_date_format(connection: duckdb.DuckDBPyConnection, fmt: str) -> None:
    """Refuse a --date-format that strptime does not understand."""
    try:
        connection.execute(f"select try_strptime('2000-01-01', {literal(fmt)})").fetchall()
    except duckdb.Error as error:
        raise UserError(f"--date-format {fmt!r}: {first_line(error)}") from error
    if "%" not in fmt:
        raise UserError(f"--date-format {fmt!r}: write a strptime format such as %Y%m%d")


def parse_expression(value: str, fmt: str) -> str:
    """SQL for a timestamp parsed from text, or null. A format without a time of day
    also reads values that have one."""
    if fmt == ISO:
        return f"try_cast({value} as timestamp)"
    if re.search("%[HIMSTXc]", fmt):
        return f"try_strptime({value}, {literal(fmt)})"
    times = [*TIMES_OF_DAY, "%H%M%S"] if fmt == "%Y%m%d" else TIMES_OF_DAY
    formats = ", ".join(literal(fmt + time) for time in ["", *times])
    return f"try_strptime({value}, [{formats}])"


def swapped(fmt: str) -> str:
    """The format with day and month exchanged."""
    return fmt.replace("%m", "\0").replace("%d", "%m").replace("\0", "%d")


def sniff_date_format(
    connection: duckdb.DuckDBPyConnection, column: str, given: str | None
) -> tuple[str, str]:
    """The format of a date column of `prepared` (trimmed text), and a remark for the
    report. Unless given, the format that parses most of a sample of the values wins;
    between month-first and day-first the whole column decides, and a tie (no day above
    12) is read month-first and reported as ambiguous."""
    values = (
        f"(select {quote(column)} as v from prepared where coalesce({quote(column)}, '') != '')"
    )
    sample = f"(select v from {values} using sample reservoir({SAMPLE_ROWS} rows) repeatable (7))"
    candidates = [given] if given else [ISO, *DATE_FORMATS]
    parsed = ", ".join(f"count({parse_expression('v', fmt)})" for fmt in candidates)
    [(total, *counts)] = connection.execute(
        f"select count(*), {parsed} from {sample}"
    ).fetchall()  # fmt: skip
    best = max(range(len(candidates)), key=lambda i: (counts[i], -i))
    chosen, remark = candidates[best], ""
    if not given and swapped(chosen) in candidates and swapped(chosen) != chosen:
        other = swapped(chosen)
        [(mine, theirs)] = connection.execute(
            f"select count({parse_expression('v', chosen)}), "
            f"count({parse_expression('v', other)}) from {values}"
        ).fetchall()
        if theirs > mine:
            chosen = other
        elif theirs == mine and chosen.startswith("%m"):
            remark = (
                "ambiguous: no day above 12, read month-first; "
                f"for day-first pass --date-format '{other}'"
            )
    parsed_count = counts[candidates.index(chosen)]
    if parsed_count < total:
        remark = "; ".join(filter(None, [f"parses {parsed_count:,} of {total:,} sampled", remark]))
    return chosen, remark


def date_expression(value: str, fmt: str, kind: str) -> str:
    """ISO text ('YYYY-MM-DD', or 'YYYY-MM-DD HH:MM:SS[.ffffff]') when the value parses,
    else the raw value."""
    parsed = parse_expression(value, fmt)
    text = f"cast({parsed} as date)" if kind == "date" else parsed
    return f"coalesce(cast({text} as varchar), nullif({value}, ''))"


def number_text(column: str) -> str:
    """The value trimmed, without a currency sign or code and without spaces or
    apostrophes grouping the thousands."""
    value = f"trim({quote(column)})"
    currency = literal(r"^(-?)\s*(?:[$€£¥]|USD|EUR|GBP)\s*|\s*(?:[$€£¥]|USD|EUR|GBP)$")
    value = f"regexp_replace({value}, {currency}, '\\1')"
    grouped = literal(r"-?\d{1,3}([ '\x{a0}\x{202f}]\d{3})+([.,]\d+)?")
    separators = literal(r"[ '\x{a0}\x{202f}]")
    ungrouped = f"regexp_replace({value}, {separators}, '', 'g')"
    return f"case when regexp_full_match({value}, {grouped}) then {ungrouped} else {value} end"


def sniff_decimal_marks(
    connection: duckdb.DuckDBPyConnection, targets: list[str]
) -> dict[str, tuple[str, int]]:
    """Per target: 'point', 'comma' or '' (no value says), by the values whose
    separators leave no doubt; and how many ambiguous values (`1,234`) there are."""
    if not targets:
        return {}
    parts = []
    for target in targets:
        value = quote(target)
        parts += [
            f"count(*) filter (where regexp_full_match({value}, '{POINT_DECIMAL}'))",
            f"count(*) filter (where regexp_full_match({value}, '{COMMA_DECIMAL}'))",
            f"count(*) filter (where regexp_full_match({value}, '{AMBIGUOUS_COMMA}'))",
        ]
    [counts] = connection.execute(f"select {', '.join(parts)} from prepared").fetchall()
    marks = {}
    for index, target in enumerate(targets):
        point, comma, ambiguous = counts[3 * index : 3 * index + 3]
        mark = "point" if point > comma else "comma" if comma > point else ""
        marks[target] = (mark, ambiguous)
    return marks


def number_expression(value: str, mark: str, kind: str) -> str:
    """A plain number with a decimal point when the separators are clear from the value
    itself or from the column's convention (`mark`); anything else stays as it is, for
    staging to reject with the raw value."""
    point = f"replace({value}, ',', '')"
    comma = f"replace(replace({value}, '.', ''), ',', '.')"
    either = f"'{AMBIGUOUS_COMMA}|{AMBIGUOUS_POINT}'"
    ambiguous = ""
    if mark == "comma":
        ambiguous = f"when regexp_full_match({value}, {either}) then {comma}"
    elif mark == "point":
        ambiguous = f"when regexp_full_match({value}, '{AMBIGUOUS_COMMA}') then {point}"
    elif kind == "integer":  # a whole number: the separator can only group thousands
        ambiguous = f"when regexp_full_match({value}, {either}) then replace({comma}, '.', '')"
    return (
        f"case when regexp_full_match({value}, '{POINT_DECIMAL}') then {point} "
        f"when regexp_full_match({value}, '{COMMA_DECIMAL}') then {comma} "
        f"{ambiguous} else nullif({value}, '') end"
    )


def column_kinds(entity_name: str, entities: dict[str, Entity]) -> dict[str, str]:
    """The kind ('text', 'integer', 'decimal', 'date', 'timestamp') of every target."""
    kinds = {"amount": "decimal", "category": "text"}
    for entity in entities.values():
        for column in entity.columns:
            kinds.setdefault(column.name, column.kind)
    if entity_name in entities:
        kinds.update({column.name: column.kind for column in entities[entity_name].columns})
    return kinds


def prepared_value(column: str, kind: str) -> str:
    """The first cleaning step, over the source column."""
    if kind in {"integer", "decimal"}:
        return number_text(column)
    if kind in {"date", "timestamp"}:
        return f"trim({quote(column)})"
    return f"nullif(trim({quote(column)}), '')"


def map_values(
    connection: duckdb.DuckDBPyConnection,
    mapping: dict[str, str],
    kinds: dict[str, str],
    date_format: str | None,
    report: Report,
) -> dict[str, str]:
    """Create the table `mapped`: each mapped target as cleaned text (dates in ISO,
    numbers with a decimal point, anything unparseable as it was) and `_source_row`.
    Returns the SQL name of each target there."""
    if date_format:
        check_date_format(connection, date_format)
    prepared = ", ".join(
        f"{prepared_value(column, kinds.get(target, 'text'))} as {quote(target)}"
        for target, column in mapping.items()
    )
    connection.execute(f"create view prepared as select {prepared}, _source_row from source")
    numbers = [target for target in mapping if kinds.get(target) in {"integer", "decimal"}]
    marks = sniff_decimal_marks(connection, numbers)
    final = {}
    for target in mapping:
        kind, value = kinds.get(target, "text"), quote(target)
        if kind in {"date", "timestamp"}:
            fmt, remark = sniff_date_format(connection, target, date_format)
            report.date_formats[target] = fmt + (f"; {remark}" if remark else "")
            final[target] = date_expression(value, fmt, kind)
        elif target in marks:
            mark, ambiguous = marks[target]
            if mark == "comma":
                report.number_formats[target] = "decimal comma, as in 1.234,50"
            elif ambiguous and not mark and kind != "integer":
                report.number_formats[target] = (
                    f"{ambiguous:,} values like 1,234 are ambiguous and kept as they are"
                )
            final[target] = number_expression(value, mark, kind)
        else:
            final[target] = value
    columns = ", ".join(f"{sql} as {quote(target)}" for target, sql in final.items())
    connection.execute(f"create temp table mapped as select {columns}, _source_row from prepared")
    for target in report.date_formats:  # the span shows a typo'd year or a future date
        [(first, last)] = connection.execute(
            f"select cast(min(try_cast({quote(target)} as date)) as varchar), "
            f"cast(max(try_cast({quote(target)} as date)) as varchar) from mapped"
        ).fetchall()
        if first:
            report.date_spans[target] = f"from {first} to {last}"
    return {target: quote(target) for target in mapping}


# ---------------------------------------------------------------- outputs


def entity_select(entity: Entity, values: dict[str, str], source_file: str) -> str:
    """One landed row per source row, with every contract column as text."""
    columns = [
        f"cast({values[name]} as varchar) as {name}" if name in values
        else f"cast(null as varchar) as {name}"
        for name in entity.column_names
    ]  # fmt: skip
    return (
        f"select {', '.join(columns)}, {literal(source_file)} as _source_file, "
        "_source_row from mapped"
    )


def derived_order_id(customer: str | None, moment: str) -> str:
    """customer-YYYYMMDDHHMMSS, or customer-<raw date> when the date does not parse; a
    line without a customer belongs to guest-YYYYMMDDHHMMSS."""
    stamp = f"strftime(try_cast({moment} as timestamp), '%Y%m%d%H%M%S')"
    return f"coalesce({customer or 'null'}, 'guest') || '-' || coalesce({stamp}, {moment})"


def transaction_outputs(
    values: dict[str, str],
    entities: dict[str, Entity],
    source_file: str,
    where: str = "true",
    with_products: bool = True,
) -> list[Output]:
    """Orders and order lines (and products named by an id, a name or a category) from
    one row per line. An order's header comes from its lines: the earliest time and each
    column's first non-empty value in file order, so lines a minute apart are one order;
    only two customers on one order are a contradiction (an order row per customer, which
    staging rejects as duplicate_conflict with both values)."""
    ordered_at = values["ordered_at"]
    customer = values.get("customer_id", "null")
    order_id = values.get("order_id", derived_order_id(values.get("customer_id"), ordered_at))
    product = values.get("product_id") or values.get("category") or "'UNKNOWN'"
    quantity = values.get("quantity", "'1'")
    unit_price = values.get("unit_price", "null")  # none: a basket-only file, price unknown
    if "unit_price" not in values and "amount" in values:  # the amount is the line total
        amount = f"try_cast({values['amount']} as decimal(18, 4))"
        units = f"try_cast({quantity} as integer)"
        unit_price = (
            f"coalesce(cast(cast(abs({amount} / nullif({units}, 0)) as decimal(18, 4)) "
            f"as varchar), {values['amount']})"
        )
        # a negative total with a positive count is a refund: a returned line
        quantity = (
            f"case when {amount} < 0 and {units} > 0 then cast(-{units} as varchar) "
            f"else {quantity} end"
        )
    lines = {
        "order_id": order_id,
        "customer_id": customer,
        "ordered_at": ordered_at,
        "channel": values.get("channel", "null"),
        "store_id": values.get("store_id", "null"),
        "status": values.get("status", "null"),
        "line_number": values.get("line_number", "null"),
        "product_id": product,
        "quantity": quantity,
        "unit_price": unit_price,
        "discount_amount": values.get("discount_amount", "null"),
        "unit_cost": values.get("unit_cost", "null"),
        "product_name": values.get("product_name", "null"),
        "category": values.get("category", "null"),
    }
    rows = ", ".join(f"cast({sql} as varchar) as {name}" for name, sql in lines.items())
    base = f"(select {rows}, _source_row from mapped where {where})"
    orders, items, products = (entities[n] for n in ("orders", "order_items", "products"))
    file = f"{literal(source_file)} as _source_file"
    first = ", ".join(
        f"arg_min({name}, _source_row) filter (where {name} is not null) as {name}"
        for name in ("channel", "store_id", "status")
    )
    headers = (
        "select order_id, coalesce(cast(min(try_cast(ordered_at as timestamp)) as varchar), "
        f"min(ordered_at)) as ordered_at, {first} from {base} group by order_id"
    )
    customers = (
        "select order_id, customer_id, min(_source_row) as _source_row, "
        "count(customer_id) over (partition by order_id) as known_customers "
        f"from {base} group by order_id, customer_id"
    )
    header_columns = ", ".join(
        f"{'customers' if name == 'customer_id' else 'headers'}.{name}"
        for name in orders.column_names
    )
    outputs = [
        Output(
            orders,
            f"select {header_columns}, "
            f"{file}, customers._source_row from ({headers}) as headers "
            f"inner join ({customers}) as customers "
            "on headers.order_id is not distinct from customers.order_id "
            "where customers.customer_id is not null or customers.known_customers = 0",
        ),
        Output(
            items,
            "select order_id, coalesce(line_number, cast(row_number() over ("
            "partition by order_id order by _source_row) as varchar)) as line_number, "
            f"product_id, quantity, unit_price, discount_amount, unit_cost, {file}, "
            f"_source_row from {base}",
        ),
    ]
    # products named in the file: by a name column, or the category standing in for them
    named = "product_name" in values or ("product_id" not in values and "category" in values)
    if with_products and named:
        name = "product_name" if "product_name" in values else "product_id"
        outputs.append(
            Output(
                products,
                f"select product_id, arg_min({name}, _source_row) filter (where {name} is not "
                "null) as product_name, arg_min(category, _source_row) filter (where category "
                "is not null) as category, cast(null as varchar) as list_price, "
                f"cast(null as varchar) as unit_cost, {file}, min(_source_row) as _source_row "
                f"from {base} where product_id is not null group by product_id",
            )
        )
    return outputs


def event_outputs(
    values: dict[str, str], entities: dict[str, Entity], source_file: str
) -> list[Output]:
    """Orders and order lines from the events with a positive amount, one line each.
    The order id comes from the event's grain, so it is the same in every file."""
    event_type = f"lower({values['event_type']})"
    stamp = derived_order_id(values["customer_id"], values["event_at"])
    revenue = {
        "customer_id": values["customer_id"],
        "ordered_at": values["event_at"],
        "amount": values["amount"],
        "product_id": event_type,
        "order_id": f"'EV-' || {stamp} || '-' || {event_type}",
    }
    positive = f"try_cast({values['amount']} as decimal(18, 4)) > 0"
    return transaction_outputs(revenue, entities, source_file, positive, with_products=False)


def build_outputs(
    entity_name: str, values: dict[str, str], entities: dict[str, Entity], source_file: str
) -> list[Output]:
    """Every landing file this ingest writes, as SQL over `mapped`."""
    if entity_name == TRANSACTIONS:
        return transaction_outputs(values, entities, source_file)
    entity = entities[entity_name]
    outputs = [Output(entity, entity_select(entity, values, source_file))]
    if entity_name == "events" and "amount" in values:
        outputs += event_outputs(values, entities, source_file)
    return outputs


# ---------------------------------------------------------------- validation


def validation_sql(entity: Entity, relation: str, known_orders: str | None) -> str:
    """Each row's outcome under staging's rules: 'staged', 'duplicate' or a reject reason.
    The row rules are staging's own macros (customer360.staging_rules); the key and
    reference rules are restated below over this relation, which holds this ingest's rows
    (`_mine`) and the landed rows of other files that share their first key column
    (staging compares keys across files), every column as text."""
    cleaned = ", ".join(f"{rules.cleaned_value(c)} as {c.name}__raw" for c in entity.columns)
    typed = ", ".join(f"{rules.typed_value(c, entity.grain)} as {c.name}" for c in entity.columns)
    everything = ", ".join(entity.column_names)
    grain = ", ".join(entity.grain)
    orphan, rejected_parent = "", ""
    if entity.references and known_orders:
        column = next(iter(entity.references))
        orphan = (
            f"when compared.{column} not in (select order_id from {known_orders}) then coalesce("
            f"'{column.removesuffix('_id')}_rejected:' || rejected_parent.reason, 'orphan')"
        )
        rejected_parent = (
            "left join rejected_orders as rejected_parent "
            f"on compared.{column} = rejected_parent.order_id"
        )
    return f"""
        with cleaned as (
            select {cleaned}, _source_file, _source_row, _mine from {relation}
        ),
        typed as (select *, {typed} from cleaned),
        checked as (select *, {rules.row_rules(entity)} as failure from typed),
        compared as (
            select *,
                row_number() over (
                    partition by {everything} order by _source_file, _source_row
                ) as copy,
                count(*) over (partition by {grain})
                    > count(*) over (partition by {everything}) as conflict,
                bool_or(_mine) over (partition by {grain}) as shares_key
            from checked where failure is null
        )
        select case when conflict then 'duplicate_conflict' {orphan}
                    when copy > 1 then 'duplicate' else 'staged' end as outcome,
            cast(compared.{entity.grain[0]} as varchar) as key_value, _mine, shares_key
        from compared {rejected_parent}
        union all
        select failure, cast({entity.grain[0]} as varchar), _mine, false
        from checked where failure is not null
    """


def landed_scans(folder: Path, skip: Path) -> list[tuple[str, str, str]]:
    """The landed files of an entity as the landing views read them: (scan, file
    expression, row expression) for the Parquet and the CSV files, except `skip`."""
    scans = []
    parquet = sorted(literal(str(p)) for p in folder.glob("*.parquet") if p != skip)
    if parquet:
        scans.append(
            (
                f"read_parquet([{', '.join(parquet)}], union_by_name = true, filename = true, "
                "file_row_number = true)",
                "filename",
                "file_row_number + 1",
            )
        )
    csvs = sorted(literal(str(p)) for p in folder.glob("*.csv"))
    if csvs:
        scans.append(
            (
                "(select *, row_number() over (partition by filename) + 1 as landed_row "
                f"from read_csv([{', '.join(csvs)}], header = true, all_varchar = true, "
                "union_by_name = true, filename = true))",
                "filename",
                "landed_row",
            )
        )
    return scans


def landed_relation(
    connection: duckdb.DuckDBPyConnection, entity: Entity, landing: Path, stem: str, mine: str
) -> str:
    """This ingest's rows plus the rows already landed in other files of the entity whose
    first key column matches one of them (the file this ingest replaces left out)."""
    as_text = ", ".join(f"cast({quote(c)} as varchar) as {c}" for c in entity.column_names)
    parts = [f"select {as_text}, _source_file, _source_row, true as _mine from {mine}"]
    folder = landing / entity.name
    first = entity.column(entity.grain[0])
    key = rules.cleaned_value(first)
    keys = f"(select distinct {key} from ({parts[0]}))"
    for scan, file, row in landed_scans(folder, folder / f"{stem}.parquet"):
        described = connection.execute(f"describe select * from {scan}").fetchall()
        present = {name for name, *_ in described}
        values = [
            f"cast({quote(c)} as varchar) as {c}" if c in present else f"null as {c}"
            for c in entity.column_names
        ]
        if "_source_file" in present:
            file = f"coalesce(cast(_source_file as varchar), {file})"
        if "_source_row" in present:
            row = f"coalesce(try_cast(_source_row as bigint), {row})"
        parts.append(
            f"select * from (select {', '.join(values)}, {file} as _source_file, "
            f"{row} as _source_row, false as _mine from {scan}) where {key} in {keys}"
        )
    return " union all ".join(parts)


def validate(
    connection: duckdb.DuckDBPyConnection,
    outputs: list[Output],
    landing: Path,
    stem: str,
    report: Report,
) -> dict[str, dict[str, int]]:
    """Each output's rows by predicted outcome. Orders are validated first, so that order
    lines are checked against the orders that will actually be staged."""
    for index, output in enumerate(outputs):
        connection.execute(f"create or replace temp table output_{index} as {output.sql}")
    order_first = sorted(range(len(outputs)), key=lambda i: outputs[i].entity.name != "orders")
    writes_orders = any(output.entity.name == "orders" for output in outputs)
    counts: dict[str, dict[str, int]] = {}
    for index in order_first:
        entity = outputs[index].entity
        known = None
        if entity.references:
            known = known_order_ids(connection, landing, stem, writes_orders, report)
        try:
            relation = landed_relation(connection, entity, landing, stem, f"output_{index}")
            sql = validation_sql(entity, f"({relation})", known)
            connection.execute(f"create or replace temp table outcome_{index} as {sql}")
        except duckdb.Error as error:
            raise UserError(
                f"{landing / entity.name}: cannot read the landed files: {first_line(error)}"
            ) from error
        counts[entity.name] = dict(
            connection.execute(
                f"select outcome, count(*) from outcome_{index} where _mine group by all"
            ).fetchall()
        )
        [(others,)] = connection.execute(
            f"select count(*) from outcome_{index} "
            "where not _mine and shares_key and outcome = 'duplicate_conflict'"
        ).fetchall()
        if others:
            report.notes.append(
                f"{others:,} {entity.name} rows already landed from other files share a key "
                "with this file but differ: staging rejects them too (duplicate_conflict)"
            )
        if entity.name == "orders":
            connection.execute(
                "create or replace temp table staged_orders as select key_value as order_id "
                f"from outcome_{index} where _mine and outcome in ('staged', 'duplicate')"
            )
            connection.execute(
                "create or replace temp table rejected_orders as select key_value as order_id, "
                f"min(outcome) as reason from outcome_{index} where _mine and outcome not in "
                "('staged', 'duplicate') and key_value is not null and key_value not in "
                "(select order_id from staged_orders) group by key_value"
            )
    return {output.entity.name: counts[output.entity.name] for output in outputs}


def known_order_ids(
    connection: duckdb.DuckDBPyConnection,
    landing: Path,
    stem: str,
    writes_orders: bool,
    report: Report,
) -> str:
    """A table of the order ids an order line may refer to: the orders this ingest stages
    and the orders already landed (except the file this ingest replaces)."""
    connection.execute(  # orders of this ingest that staging rejects (none without orders)
        "create temp table if not exists rejected_orders (order_id varchar, reason varchar)"
    )
    sources = ["select order_id from staged_orders"] if writes_orders else []
    folder = landing / "orders"
    for scan, _, _ in landed_scans(folder, folder / f"{stem}.parquet"):
        sources.append(f"select cast(order_id as varchar) as order_id from {scan}")
    if not sources:
        report.notes.append(
            "no orders are landed yet: land the orders before the build, or staging "
            "rejects these order lines as orphan"
        )
        sources.append("select cast(null as varchar) as order_id")
    try:
        connection.execute(
            "create or replace temp table known_orders as select distinct trim(order_id) "
            f"as order_id from ({' union all '.join(sources)}) as known "
            "where nullif(trim(order_id), '') is not null"
        )
    except duckdb.Error as error:
        raise UserError(f"{folder}: cannot read the landed orders: {first_line(error)}") from error
    return "known_orders"


# ---------------------------------------------------------------- writing


def write(
    connection: duckdb.DuckDBPyConnection,
    outputs: list[Output],
    landing: Path,
    stem: str,
    kind: str,
) -> tuple[list[Path], list[Path]]:
    """Land every output as `<entity>/<stem>.parquet` in one transaction (see
    customer360.landing_commit): readers see all the new files or none of them. Each file
    records the ingest's kind (`--entity`) in its Parquet metadata, so a later ingest of
    the same kind and stem also removes a file it no longer writes (products, when the
    new version has no category). Returns the files landed and the files removed. On an
    error nothing landed changes."""
    entities = [output.entity.name for output in outputs]
    metadata = f"kv_metadata {{{INGEST_KEY}: {literal(kind)}}}"

    def copy(index: int, path: Path) -> None:
        connection.execute(
            f"copy (select * from output_{index} order by _source_row) "
            f"to {literal(str(path))} (format parquet, {metadata})"
        )

    folder = None
    try:
        with landing_commit.locked(landing):
            recover(landing)
            staged = folder = landing_commit.stage(landing, stem, entities, copy)
            removes = replaced_files(connection, landing, stem, kind, entities)
            landing_commit.commit(staged, stem, entities, removes)
            folder = None  # committed: from here on it only rolls forward
            written = landing_commit.apply(staged)
            return written, [landing / entity / f"{stem}.parquet" for entity in removes]
    except (duckdb.Error, OSError) as error:
        raise UserError(f"cannot write to {landing}: {first_line(error)}") from error
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def recover(landing: Path) -> None:
    """Finish or undo what killed ingests left (customer360.landing_commit), saying what;
    the caller holds the landing zone's lock."""
    for line in landing_commit.recover(landing):
        print(f"recovered: {line}", file=sys.stderr, flush=True)


def replaced_files(
    connection: duckdb.DuckDBPyConnection, landing: Path, stem: str, kind: str, writes: list[str]
) -> list[str]:
    """The entities whose `<stem>.parquet` an earlier ingest of this kind wrote and this
    one does not: the new version replaces them with nothing."""
    removes = []
    for entity in contract.load():
        path = landing / entity / f"{stem}.parquet"
        if entity in writes or not path.is_file():
            continue
        written_by = connection.execute(
            f"select decode(value) from parquet_kv_metadata({literal(str(path))}) "
            f"where decode(key) = {literal(INGEST_KEY)}"
        ).fetchall()
        if written_by == [(kind,)]:
            removes.append(entity)
    return removes


# ---------------------------------------------------------------- report


def print_source(source: Source, entity_name: str, outputs: list[Output], report: Report) -> None:
    """The file, what it becomes and the column mapping."""
    targets = ", ".join(output.entity.name for output in outputs)
    print(f"file:     {source.path} ({source.kind}; {source.details})")
    print(f"entity:   {entity_name} -> {targets}")
    print(f"rows:     {source.rows:,} read")
    print("columns:")
    for target, column in report.mapping.items():
        fmt = report.date_formats.get(target)
        numbers = report.number_formats.get(target)
        remark = f"   (dates: {fmt})" if fmt else f"   (numbers: {numbers})" if numbers else ""
        if target in report.date_spans:
            remark += f" {report.date_spans[target]}"
        print(f"  {target:<18} <- {column}{remark}")
    if report.ignored:
        print(f"ignored:  {', '.join(report.ignored)} (no contract column)")
    for note in report.notes:
        print(f"note:     {note}")


def print_preview(
    connection: duckdb.DuckDBPyConnection, entity_name: str, outputs: list[Output]
) -> None:
    """The first rows as landed (order lines for a transaction file), as a table."""
    wanted = "order_items" if entity_name == TRANSACTIONS else entity_name
    shown = next(output for output in outputs if output.entity.name == wanted)
    preview = connection.execute(
        f"select * exclude (_source_file) from output_{outputs.index(shown)} "
        f"order by _source_row limit {PREVIEW_ROWS}"
    )
    names = [column[0] for column in preview.description]
    rows = [
        ["" if value is None else str(value).replace("\n", "\\n") for value in row]
        for row in preview.fetchall()
    ]
    widths = [min(30, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    print(f"preview ({shown.entity.name}, first {len(rows)} rows):")
    for cells in [names, *rows]:
        print("  " + "  ".join(c[:w].ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())


def print_counts(counts: dict[str, dict[str, int]]) -> None:
    """Rows per entity: staged, exact duplicates dropped, rejected by reason."""
    print("validation (what staging will do):")
    for entity, outcomes in counts.items():
        staged = outcomes.get("staged", 0)
        duplicates = outcomes.get("duplicate", 0)
        rejected = {k: v for k, v in outcomes.items() if k not in ("staged", "duplicate")}
        total = staged + duplicates + sum(rejected.values())
        print(
            f"  {entity:<12} {total:>10,} rows: {staged:,} staged, {duplicates:,} exact "
            f"duplicates dropped, {sum(rejected.values()):,} rejected"
        )
        for reason, count in sorted(rejected.items(), key=lambda item: (-item[1], item[0])):
            print(f"      {count:>10,}  {reason}")


def output_notes(entity_name: str, mapping: dict[str, str], rows: int) -> list[str]:
    """What the report should say about derived outputs."""
    notes = []
    if entity_name == TRANSACTIONS:
        if "order_id" not in mapping:
            notes.append(
                "order_id derived from customer and time: <customer_id>-YYYYMMDDHHMMSS "
                "(guest-YYYYMMDDHHMMSS without a customer)"
            )
        if "customer_id" not in mapping:
            notes.append("no customer column: every order is an anonymous (guest) order")
        if "unit_price" in mapping and "amount" in mapping:
            notes.append(f"{mapping['amount']!r} is not used: the unit price is mapped")
        elif "amount" in mapping:
            notes.append(
                f"unit_price = {mapping['amount']} / quantity (the line total; a negative "
                "total is a returned line)"
            )
        elif "unit_price" not in mapping:
            notes.append(
                "no price or amount column (a basket-only file): revenue, spend and profit "
                "of these lines are unknown, not 0; map one with --map amount=<column>"
            )
        if "product_id" not in mapping:
            name = mapping.get("category")
            notes.append(f"product_id = {name} (also landed as products)" if name else
                         "product_id = 'UNKNOWN' (no product or category column)")  # fmt: skip
        elif "product_name" in mapping:
            notes.append(f"products landed with product_name = {mapping['product_name']}")
        notes.append(
            f"orders hold one row per order, order_items one per line ({rows:,}); an order "
            "takes the earliest time of its lines and their first non-empty values"
        )
    if entity_name == "events" and "amount" in mapping:
        notes.append(
            "events with a positive amount also land as orders + order_items "
            "(one line each, product_id = event_type); the others stay in events only"
        )
    return notes


def order_notes(connection: duckdb.DuckDBPyConnection, outputs: list[Output]) -> list[str]:
    """What staging will make of the orders and lines: returns and guest orders, which
    are kept (not rejected) and counted apart."""
    names = [output.entity.name for output in outputs]
    notes = []
    if "order_items" in names:
        [(returned,)] = connection.execute(
            f"select count(*) from output_{names.index('order_items')} "
            "where try_cast(quantity as integer) < 0"
        ).fetchall()
        if returned:
            notes.append(f"{returned:,} order lines with a negative quantity: returned lines")
    if "orders" in names:
        pattern = project_vars().get("cancellation_order_id_pattern") or ""
        documents = f"regexp_matches(order_id, {literal(pattern)})" if pattern else "false"
        [(guests, cancellations)] = connection.execute(
            f"select count(*) filter (where nullif(trim(customer_id), '') is null), "
            f"count(*) filter (where {documents}) from output_{names.index('orders')}"
        ).fetchall()
        if guests:
            notes.append(f"{guests:,} orders without a customer: anonymous (guest) orders")
        if cancellations:
            notes.append(
                f"{cancellations:,} orders whose id matches {pattern} (var "
                "cancellation_order_id_pattern): cancellation documents, their lines returned"
            )
    return notes


def check_entity(entity_name: str, entities: dict[str, Entity]) -> None:
    """Refuse an entity the contract does not know."""
    if entity_name not in entities and entity_name != TRANSACTIONS:
        valid = ", ".join([*entities, TRANSACTIONS])
        raise UserError(f"unknown entity {entity_name!r}; choose one of: {valid}")


def analyse(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    entity_name: str,
    maps: list[str],
    date_format: str | None,
    landing: Path,
) -> tuple[Report, list[Output]]:
    """Map the source onto the entity, build the outputs and predict their outcomes."""
    entities = contract.load()
    mapping = resolve_mapping(source, entity_name, entities, maps)
    ignored = [column for column in source.columns if column not in mapping.values()]
    report = Report(mapping, ignored)
    report.notes += output_notes(entity_name, mapping, source.rows)
    print("sniffing dates and numbers ...", file=sys.stderr, flush=True)
    try:
        values = map_values(
            connection, mapping, column_kinds(entity_name, entities), date_format, report
        )
        outputs = build_outputs(entity_name, values, entities, str(source.path.resolve()))
        print("validating ...", file=sys.stderr, flush=True)
        report.counts = validate(connection, outputs, landing, source.path.stem, report)
        report.notes += order_notes(connection, outputs)
    except duckdb.Error as error:
        raise UserError(f"{source.path}: cannot map the file: {first_line(error)}") from error
    return report, outputs


def ingest(
    path: Path,
    entity_name: str,
    maps: list[str],
    date_format: str | None,
    sheet: str | None,
    landing: Path,
    dry_run: bool = False,
) -> Report:
    """Read, map, validate and (unless dry_run) land one file; print the report on
    stdout and progress on stderr. Any UserError leaves the landing zone unchanged."""
    check_entity(entity_name, contract.load())
    if landing.is_dir() and not dry_run:  # predict against a landing zone readers can see
        with landing_commit.locked(landing):
            recover(landing)
    with duckdb.connect() as connection:
        print(f"reading {path} ...", file=sys.stderr, flush=True)
        source = read_source(connection, path, sheet)
        report, outputs = analyse(connection, source, entity_name, maps, date_format, landing)
        print_source(source, entity_name, outputs, report)
        print_preview(connection, entity_name, outputs)
        print_counts(report.counts)
        if dry_run:
            print("dry run: nothing written")
            return report
        print("writing ...", file=sys.stderr, flush=True)
        report.written, removed = write(connection, outputs, landing, path.stem, entity_name)
    for written in report.written:
        print(f"written:  {written}")
    for gone in removed:
        print(f"removed:  {gone} (an earlier version of this file wrote it; this one does not)")
    return report


def main(args: argparse.Namespace) -> int:
    """The `customer360 ingest` command."""
    landing = Path(args.landing_dir) if args.landing_dir else landing_dir()
    ingest(
        Path(args.file),
        args.entity,
        args.map,
        args.date_format,
        args.sheet,
        landing.resolve(),
        args.dry_run,
    )
    return 0

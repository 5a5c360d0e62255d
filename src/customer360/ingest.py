"""`customer360 ingest`: map a user's file onto the landing contract.

Reads CSV (any delimiter), whitespace-separated text, Excel or Parquet; sniffs the
delimiter, the header and the date formats; maps columns by explicit `--map` or by name
(case and punctuation ignored, common synonyms known); prints the mapping, a preview
and a validation report that predicts what staging will do, with the same reason codes;
then writes landing Parquet atomically. All the row work happens in DuckDB.

Landed files hold every contract column as text (dates normalised to ISO; a value that
does not parse is kept as it is, so staging rejects it with the raw value), plus
`_source_file` and `_source_row`: the user's file and the row a user sees there (for a
text file the line number with the header as line 1, for Excel the sheet row, for
Parquet the row index + 1).

A flat transaction file (`--entity transactions`: one row per purchase or line) becomes
orders + order_items, and a products file when only a category names the product. An
`events` file with an amount also becomes orders + order_items, one line per event.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from customer360 import contract
from customer360.contract import Column, Entity
from customer360.errors import UserError
from customer360.project import landing_dir

TRANSACTIONS = "transactions"
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
PREVIEW_ROWS = 5
SAMPLE_ROWS = 2000

# Other names a column goes by, compared after lower-casing and dropping everything but
# letters and digits.
SYNONYMS: dict[str, list[str]] = {
    "customer_id": ["customerid", "custid", "customer", "clientid", "client", "userid",
                    "memberid", "customerno", "customernumber", "accountid"],
    "order_id": ["orderid", "invoiceno", "invoice", "invoiceid", "transactionid",
                 "ordernumber", "orderno", "receiptid"],
    "ordered_at": ["orderdate", "transactiondate", "date", "invoicedate", "purchasedate",
                   "timestamp", "datetime", "orderedat", "transactiontime", "orderdatetime"],
    "amount": ["transactionamount", "amount", "total", "sales", "revenue", "revenueimpact",
               "value", "ordervalue", "linetotal", "totalamount"],
    "quantity": ["qty", "units", "quantity", "count"],
    "product_id": ["productid", "stockcode", "sku", "item", "itemid", "productcode"],
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

# The columns of a flat transaction file, and which of them must be found.
TRANSACTION_COLUMNS = [
    "customer_id", "ordered_at", "amount", "quantity", "unit_price", "order_id", "product_id",
    "category", "discount_amount", "unit_cost", "line_number", "channel", "store_id", "status",
]  # fmt: skip
TRANSACTION_REQUIRED = ["customer_id", "ordered_at"]

# Date formats tried when sniffing, after ISO 8601 (which DuckDB casts directly).
# Month-first comes before day-first: a day above 12 is needed to prove day-first.
DATE_FORMATS = [
    "%Y%m%d", "%Y%m%d%H%M%S", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y",
    "%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%y",
    "%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d-%m-%Y", "%d-%m-%Y %H:%M:%S",
    "%d-%b-%Y", "%d %b %Y", "%b %d %Y", "%d-%b-%y",
]  # fmt: skip
ISO = "ISO 8601"


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Source:
    """The user's file as a DuckDB view `source` of text columns plus `_source_row`."""

    path: Path
    kind: str
    columns: list[str]
    rows: int
    details: str = ""


@dataclass
class Output:
    """One landing file to write: an entity and the SQL that produces its rows."""

    entity: Entity
    sql: str
    path: Path | None = None


@dataclass
class Report:
    mapping: dict[str, str]
    ignored: list[str]
    date_formats: dict[str, str]
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
    try:
        if suffix == ".parquet":
            source = read_parquet(connection, path)
        elif suffix in EXCEL_SUFFIXES:
            source = read_excel(connection, path, sheet)
        else:
            source = read_text(connection, path)
    except UserError:
        raise
    except (duckdb.Error, ValueError, OSError, ImportError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise UserError(f"{path}: cannot read the file: {first_line}") from error
    if source.rows == 0:
        raise UserError(f"{path}: the file has no data rows (only a header, or nothing)")
    return source


def read_parquet(connection: duckdb.DuckDBPyConnection, path: Path) -> Source:
    names = [row[0] for row in connection.execute(
        f"select name from parquet_schema({literal(str(path))}) where name != 'schema'"
    ).fetchall()]  # fmt: skip
    text = ", ".join(f"cast({quote(name)} as varchar) as {quote(name)}" for name in names)
    connection.execute(
        f"create view source as select {text}, file_row_number + 1 as _source_row "
        f"from read_parquet({literal(str(path))}, file_row_number = true)"
    )
    return Source(path, "Parquet", names, count_rows(connection))


def read_excel(connection: duckdb.DuckDBPyConnection, path: Path, sheet: str | None) -> Source:
    import pandas as pd

    frame = pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=str)
    frame = frame.dropna(how="all")
    if frame.empty:
        raise UserError(f"{path}: the sheet is empty")
    first = [str(value) if pd.notna(value) else "" for value in frame.iloc[0]]
    header = looks_like_header(first, frame.iloc[1:6].fillna("").astype(str).values.tolist())
    names = unique_names(first) if header else [f"column{i}" for i in range(1, len(first) + 1)]
    body = frame.iloc[1:] if header else frame
    body = body.astype(object).where(body.notna(), None)
    body.columns = names
    body["_source_row"] = body.index + 1  # the sheet row, 1-based
    connection.register("excel_rows", body)
    text = ", ".join(f"cast({quote(name)} as varchar) as {quote(name)}" for name in names)
    connection.execute(f"create view source as select {text}, _source_row from excel_rows")
    sheet_name = sheet or "first sheet"
    return Source(path, "Excel", names, count_rows(connection),
                  f"{sheet_name}, header: {'yes' if header else 'no'}")  # fmt: skip


def read_text(connection: duckdb.DuckDBPyConnection, path: Path) -> Source:
    sample_lines = sample_text(path)
    if not any(line.strip() for line in sample_lines):
        raise UserError(f"{path}: the file is empty (only blank lines)")
    delimiter = sniff_delimiter(sample_lines)
    if delimiter is None and all(
        len(line.split()) > 1 for line in sample_lines[:20] if line.strip()
    ):
        return read_whitespace(connection, path, sample_lines)
    delimiter = delimiter or ","
    rows = list(csv.reader(sample_lines[:6], delimiter=delimiter))
    header = looks_like_header(rows[0], rows[1:]) if rows else False
    options = (
        f"delim = {literal(delimiter)}, header = {str(header).lower()}, all_varchar = true, "
        f"quote = '\"', escape = '\"', strict_mode = false, encoding = {literal(encoding(path))}"
    )
    try:  # fast, parallel; rows with missing trailing fields need the fallback
        connection.execute(
            f"create or replace view raw_csv as select * from read_csv({literal(str(path))}, "
            f"{options})"
        )
        connection.execute("select count(*) from raw_csv").fetchall()
    except duckdb.Error:
        connection.execute(
            f"create or replace view raw_csv as select * from read_csv({literal(str(path))}, "
            f"{options}, null_padding = true, parallel = false)"
        )
    described = [row[0] for row in connection.execute("describe raw_csv").fetchall()]
    names = described if header else [f"column{i}" for i in range(1, len(described) + 1)]
    renamed = ", ".join(
        f"{quote(old)} as {quote(new)}" for old, new in zip(described, names, strict=True)
    )
    first_row = 2 if header else 1
    connection.execute(
        f"create view source as select {renamed}, "
        f"row_number() over () + {first_row - 1} as _source_row from raw_csv"
    )
    shown = {"\t": "tab", " ": "space"}.get(delimiter, delimiter)
    return Source(path, "CSV", names, count_rows(connection),
                  f"delimiter {shown!r}, header: {'yes' if header else 'no'}")  # fmt: skip


def read_whitespace(
    connection: duckdb.DuckDBPyConnection, path: Path, sample_lines: list[str]
) -> Source:
    """Fields separated by runs of spaces or tabs (no quoting), e.g. the CDNOW files."""
    rows = [line.split() for line in sample_lines[:6] if line.strip()]
    header = looks_like_header(rows[0], rows[1:])
    width = max(len(row) for row in rows)
    names = unique_names(rows[0]) if header else [f"column{i}" for i in range(1, width + 1)]
    connection.execute(
        "create view raw_lines as select line, row_number() over () as line_number "
        f"from read_csv({literal(str(path))}, columns = {{'line': 'VARCHAR'}}, "
        "delim = '\\x01', quote = '', escape = '', header = false, auto_detect = false)"
    )
    fields = ", ".join(f"parts[{i}] as {quote(name)}" for i, name in enumerate(names, start=1))
    skip = "and line_number > 1" if header else ""
    connection.execute(
        f"create view source as select {fields}, line_number as _source_row from ("
        "select regexp_split_to_array(trim(line), '\\s+') as parts, line_number "
        f"from raw_lines where trim(coalesce(line, '')) != '' {skip})"
    )
    return Source(path, "text", names, count_rows(connection),
                  f"whitespace-separated, header: {'yes' if header else 'no'}")  # fmt: skip


def encoding(path: Path) -> str:
    """'utf-8' when the start of the file decodes as UTF-8, else 'latin-1'."""
    try:
        path.read_bytes()[:65536].decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut at the end of the sample is still UTF-8
        return "utf-8" if error.start >= 65536 - 4 else "latin-1"
    return "utf-8"


def sample_text(path: Path, size: int = 65536) -> list[str]:
    raw = path.read_bytes()[:size]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()
    return lines[:-1] if len(raw) == size and len(lines) > 1 else lines


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    sample = [line for line in lines[:50] if line.strip()]
    best, best_fields = None, 1
    for delimiter in [",", ";", "\t", "|"]:
        widths = {len(row) for row in csv.reader(sample, delimiter=delimiter)}
        if len(widths) == 1 and (width := widths.pop()) > best_fields:
            best, best_fields = delimiter, width
    return best


def looks_like_value(text: str) -> bool:
    """A number or a date: something a header cell is not."""
    text = text.strip()
    return bool(re.fullmatch(r"[-+$€£]?[\d.,:/ T-]+", text)) and any(c.isdigit() for c in text)


def looks_like_header(first: list[str], following: list[list[str]]) -> bool:
    known = {normalise(name) for names in SYNONYMS.values() for name in names} | set(SYNONYMS)
    if any(normalise(cell) in known for cell in first):
        return True
    if any(looks_like_value(cell) for cell in first):
        return False
    return any(looks_like_value(cell) for row in following for cell in row)


def unique_names(cells: list[str]) -> list[str]:
    names: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = cell.strip() or f"column{index}"
        while name in names:
            name += "_"
        names.append(name)
    return names


def count_rows(connection: duckdb.DuckDBPyConnection) -> int:
    return connection.execute("select count(*) from source").fetchall()[0][0]


# ---------------------------------------------------------------- mapping


def target_columns(entity_name: str, entities: dict[str, Entity]) -> tuple[list[str], list[str]]:
    """The columns a file for the entity can map, and those it must map."""
    if entity_name == TRANSACTIONS:
        return TRANSACTION_COLUMNS, TRANSACTION_REQUIRED
    entity = entities[entity_name]
    columns = entity.column_names + (["amount"] if entity_name == "events" else [])
    required = [
        column.name
        for column in entity.columns
        if (column.required or column.name in entity.grain) and column.default is None
    ]
    return list(dict.fromkeys(columns)), required


def resolve_mapping(
    source: Source, entity_name: str, entities: dict[str, Entity], explicit: list[str]
) -> dict[str, str]:
    """target column -> source column."""
    targets, required = target_columns(entity_name, entities)
    mapping: dict[str, str] = {}
    by_normal = {normalise(name): name for name in source.columns}
    for item in explicit:
        target, sep, wanted = item.partition("=")
        target, wanted = target.strip(), wanted.strip()
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
                f"{source.path}: no column {wanted!r} for --map {item!r}. "
                f"Columns in the file: {', '.join(source.columns)}"
            )
        mapping[target] = found
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
            looked_for = ", ".join([target, *SYNONYMS.get(target, [])][:8])
            raise UserError(
                f"{source.path}: no column for the required {target!r} of {entity_name} "
                f"(looked for: {looked_for}). Map one with --map {target}=<column>. "
                f"Columns in the file: {', '.join(source.columns)}"
            )
    if entity_name == TRANSACTIONS and not {"amount", "unit_price"} & set(mapping):
        raise UserError(
            f"{source.path}: no column for the required 'amount' of transactions (the line "
            f"total; or 'unit_price'). Map one with --map amount=<column>. "
            f"Columns in the file: {', '.join(source.columns)}"
        )
    return mapping


# ---------------------------------------------------------------- values


def sniff_date_format(
    connection: duckdb.DuckDBPyConnection, column: str, given: str | None
) -> tuple[str, bool]:
    """The format that parses most sample values of a column; and whether it was a
    tie between month-first and day-first."""
    if given:
        return given, False
    values = (
        f"(select {quote(column)} as v from source "
        f"where trim(coalesce({quote(column)}, '')) != '' limit {SAMPLE_ROWS})"
    )
    candidates = [ISO, *DATE_FORMATS]
    parsed = ", ".join(
        "count(try_cast(trim(v) as timestamp))" if fmt == ISO
        else f"count(try_strptime(trim(v), {literal(fmt)}))"
        for fmt in candidates
    )  # fmt: skip
    counts = connection.execute(f"select {parsed} from {values}").fetchall()[0]
    best = max(range(len(candidates)), key=lambda i: (counts[i], -i))
    chosen = candidates[best]
    ambiguous = chosen.startswith("%m/%d") and counts[candidates.index(
        chosen.replace("%m/%d", "%d/%m"))] == counts[best]  # fmt: skip
    return chosen, ambiguous


def date_expression(column: str, fmt: str, kind: str) -> str:
    """Normalised ISO text when the value parses, else the raw value."""
    value = f"trim({quote(column)})"
    parsed = (
        f"try_cast({value} as timestamp)"
        if fmt == ISO
        else f"try_strptime({value}, {literal(fmt)})"
    )
    pattern = "%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M:%S"
    return f"coalesce(strftime({parsed}, {literal(pattern)}), nullif({value}, ''))"


def number_expression(column: str) -> str:
    """Drops a currency sign; reads `1,234.50` (thousands separators), `12,50` and
    `1.234,50` (a decimal comma, one or two decimals) as plain numbers; anything else
    stays as it is, for staging to reject with the raw value."""
    value = f"trim({quote(column)})"
    cleaned = f"regexp_replace({value}, '^[$€£¥]\\s*', '')"
    return (
        f"case when regexp_full_match({cleaned}, '-?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') "
        f"then replace({cleaned}, ',', '') "
        f"when regexp_full_match({cleaned}, '-?\\d+,\\d{{1,2}}') "
        f"then replace({cleaned}, ',', '.') "
        f"when regexp_full_match({cleaned}, '-?\\d{{1,3}}(\\.\\d{{3}})+,\\d{{1,2}}') "
        f"then replace(replace({cleaned}, '.', ''), ',', '.') else nullif({cleaned}, '') end"
    )


def value_expressions(
    connection: duckdb.DuckDBPyConnection,
    mapping: dict[str, str],
    kinds: dict[str, str],
    date_format: str | None,
    report: Report,
) -> dict[str, str]:
    """SQL for every mapped target column, as cleaned text."""
    expressions = {}
    for target, column in mapping.items():
        kind = kinds.get(target, "text")
        if kind in {"date", "timestamp"}:
            fmt, ambiguous = sniff_date_format(connection, column, date_format)
            report.date_formats[target] = fmt + (
                " (ambiguous: no day above 12; pass --date-format '%d/%m/%Y' for day-first)"
                if ambiguous else ""
            )  # fmt: skip
            expressions[target] = date_expression(column, fmt, kind)
        elif kind in {"integer", "decimal"}:
            expressions[target] = number_expression(column)
        else:
            expressions[target] = f"nullif(trim({quote(column)}), '')"
    return expressions


# ---------------------------------------------------------------- outputs


def entity_select(entity: Entity, values: dict[str, str], source_file: str) -> str:
    columns = [
        f"cast({values[name]} as varchar) as {name}" if name in values
        else f"cast(null as varchar) as {name}"
        for name in entity.column_names
    ]  # fmt: skip
    return (
        f"select {', '.join(columns)}, {literal(source_file)} as _source_file, "
        "_source_row from source"
    )


def transaction_outputs(
    values: dict[str, str], entities: dict[str, Entity], source_file: str
) -> list[Output]:
    """Orders, order lines (and products named by category) from one row per line."""
    ordered_at = values["ordered_at"]
    order_id = values.get(
        "order_id",
        f"{values['customer_id']} || '-' || "
        f"coalesce(strftime(try_cast({ordered_at} as timestamp), '%Y%m%d%H%M%S'), {ordered_at})",
    )
    product = values.get("product_id") or values.get("category") or "'UNKNOWN'"
    quantity = values.get("quantity", "'1'")
    if "unit_price" in values:
        unit_price = values["unit_price"]
    else:  # the amount is the line total
        amount = values["amount"]
        unit_price = (
            f"coalesce(cast(round(try_cast({amount} as decimal(18, 4)) / "
            f"nullif(try_cast({quantity} as integer), 0), 4) as varchar), {amount})"
        )
    lines = {
        "order_id": order_id,
        "customer_id": values["customer_id"],
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
        "category": values.get("category", "null"),
    }
    rows = ", ".join(f"cast({sql} as varchar) as {name}" for name, sql in lines.items())
    base = f"(select {rows}, _source_row from source)"
    orders, items, products = (entities[n] for n in ("orders", "order_items", "products"))
    order_columns = ", ".join(orders.column_names)
    outputs = [
        Output(
            orders,
            f"select {order_columns}, {literal(source_file)} as _source_file, "
            f"min(_source_row) as _source_row from {base} group by {order_columns}",
        ),
        Output(
            items,
            "select order_id, coalesce(line_number, cast(row_number() over ("
            "partition by order_id order by _source_row) as varchar)) as line_number, "
            "product_id, quantity, unit_price, discount_amount, unit_cost, "
            f"{literal(source_file)} as _source_file, _source_row from {base}",
        ),
    ]
    if "product_id" not in values and "category" in values:
        outputs.append(
            Output(
                products,
                "select product_id, product_id as product_name, category, "
                "cast(null as varchar) as list_price, cast(null as varchar) as unit_cost, "
                f"{literal(source_file)} as _source_file, min(_source_row) as _source_row "
                f"from {base} where product_id is not null group by product_id, category",
            )
        )
    return outputs


def build_outputs(
    entity_name: str, values: dict[str, str], entities: dict[str, Entity], source_file: str
) -> list[Output]:
    if entity_name == TRANSACTIONS:
        return transaction_outputs(values, entities, source_file)
    outputs = [Output(entities[entity_name], entity_select(entities[entity_name], values,
                                                           source_file))]  # fmt: skip
    if entity_name == "events" and "amount" in values:
        revenue = {
            "customer_id": values["customer_id"],
            "ordered_at": values["event_at"],
            "amount": values["amount"],
            "product_id": values.get("event_type", "'UNKNOWN'"),
            "order_id": f"'EV-' || {values['customer_id']} || '-' || _source_row",
        }
        with_amount = transaction_outputs(revenue, entities, source_file)[:2]
        for output in with_amount:
            output.sql = output.sql.replace(
                "from source", f"from source where {values['amount']} is not null"
            )
        outputs += with_amount
    return outputs


# ---------------------------------------------------------------- validation


def typed(column: Column, value: str) -> str:
    return f"try_cast({value} as {column.data_type})"


def validation_sql(entity: Entity, relation: str, known_orders: str | None) -> str:
    """Each row's outcome under staging's rules: 'staged', 'duplicate' or a reason."""
    cleaned = []
    for column in entity.columns:
        value = f"nullif(trim({column.name}), '')"
        if column.lowercase:
            value = f"lower({value})"
        cleaned.append(f"{value} as {column.name}")
    checks = []
    for column in entity.columns:
        if column.name in entity.grain and column.default is None:
            checks.append(f"when {column.name} is null then 'missing_key'")
    for column in entity.columns:
        if column.name not in entity.grain and column.required and column.default is None:
            checks.append(f"when {column.name} is null then 'missing_required:{column.name}'")
    for column in entity.columns:
        if column.kind != "text":
            checks.append(
                f"when {column.name} is not null and {typed(column, column.name)} is null "
                f"then 'unparseable:{column.name}'"
            )
    for column in entity.columns:
        value = typed(column, column.name) if column.kind != "text" else column.name
        conditions = []
        if column.accepted_values:
            conditions.append(
                f"{value} not in ({', '.join(literal(v) for v in column.accepted_values)})"
            )
        if column.min_value is not None:
            conditions.append(f"{value} {'<=' if column.min_exclusive else '<'} {column.min_value}")
        if column.max_value is not None:
            conditions.append(f"{value} > {column.max_value}")
        if conditions:
            checks.append(f"when {' or '.join(conditions)} then 'out_of_range:{column.name}'")
    normalised = ", ".join(
        f"coalesce({typed(c, c.name) if c.kind != 'text' else c.name}, "
        f"{'null' if c.default in (None, 'row_order') else c.default}) as {c.name}"
        for c in entity.columns
    )
    all_columns = ", ".join(entity.column_names)
    grain = ", ".join(entity.grain)
    orphan = ""
    if entity.references and known_orders:
        column = next(iter(entity.references))
        orphan = f"when {column} not in (select order_id from {known_orders}) then 'orphan'"
    return f"""
        with cleaned as (select {", ".join(cleaned)}, _source_row from {relation}),
        checked as (
            select *, case {" ".join(checks)} end as failure from cleaned
        ),
        valid as (select {normalised}, _source_row from checked where failure is null),
        compared as (
            select *,
                row_number() over (partition by {all_columns} order by _source_row) as copy,
                count(*) over (partition by {grain})
                    > count(*) over (partition by {all_columns}) as conflict
            from valid
        )
        select case when conflict then 'duplicate_conflict' {orphan}
                    when copy > 1 then 'duplicate' else 'staged' end as outcome,
            {entity.grain[0]} as key_value
        from compared
        union all
        select failure, {entity.grain[0]} from checked where failure is not null
    """


def validate(
    connection: duckdb.DuckDBPyConnection, outputs: list[Output], landing: Path
) -> dict[str, dict[str, int]]:
    """Each output's rows by predicted outcome. Orders are validated first, so that order
    lines are checked against the orders that will actually be staged."""
    for index, output in enumerate(outputs):
        connection.execute(f"create or replace temp table output_{index} as {output.sql}")
    order_first = sorted(range(len(outputs)), key=lambda i: outputs[i].entity.name != "orders")
    counts: dict[str, dict[str, int]] = {}
    known_orders = None
    for index in order_first:
        output = outputs[index]
        if output.entity.references:
            known_orders = known_order_ids(connection, landing, staged_here="orders" in counts)
        sql = validation_sql(output.entity, f"output_{index}", known_orders)
        connection.execute(f"create or replace temp table outcome_{index} as {sql}")
        counts[output.entity.name] = dict(
            connection.execute(
                f"select outcome, count(*) from outcome_{index} group by all"
            ).fetchall()
        )
        if output.entity.name == "orders":
            connection.execute(
                "create or replace temp table staged_orders as select key_value as order_id "
                f"from outcome_{index} where outcome in ('staged', 'duplicate')"
            )
    return {output.entity.name: counts[output.entity.name] for output in outputs}


def known_order_ids(
    connection: duckdb.DuckDBPyConnection, landing: Path, staged_here: bool
) -> str | None:
    """A table of the order ids an order line may refer to: the orders this file stages
    and the orders already landed."""
    sources = ["select order_id from staged_orders"] if staged_here else []
    if list((landing / "orders").glob("*.parquet")):
        sources.append(
            "select cast(order_id as varchar) as order_id from "
            f"read_parquet({literal(str(landing / 'orders' / '*.parquet'))}, "
            "union_by_name = true)"
        )
    if not sources:
        return None
    connection.execute(
        "create or replace temp table known_orders as "
        "select distinct trim(known.order_id) as order_id "
        f"from ({' union all '.join(sources)}) as known"
    )
    return "known_orders"


# ---------------------------------------------------------------- writing


def write(connection: duckdb.DuckDBPyConnection, outputs: list[Output], landing: Path,
          stem: str) -> list[Path]:  # fmt: skip
    """Write every output to a temporary file, then rename them all into place."""
    temporary: list[tuple[Path, Path]] = []
    try:
        for index, output in enumerate(outputs):
            folder = landing / output.entity.name
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{stem}.parquet"
            temp = folder / f".{stem}.parquet.tmp"
            connection.execute(
                f"copy (select * from output_{index}) to {literal(str(temp))} (format parquet)"
            )
            temporary.append((temp, final))
        for temp, final in temporary:
            os.replace(temp, final)
    finally:
        for temp, _ in temporary:
            temp.unlink(missing_ok=True)
    return [final for _, final in temporary]


# ---------------------------------------------------------------- report


def print_report(source: Source, entity_name: str, outputs: list[Output], report: Report,
                 connection: duckdb.DuckDBPyConnection) -> None:  # fmt: skip
    targets = ", ".join(output.entity.name for output in outputs)
    print(f"file:     {source.path} ({source.kind}; {source.details or 'typed columns'})")
    print(f"entity:   {entity_name} -> {targets}")
    print(f"rows:     {source.rows:,}")
    print("columns:")
    for target, column in report.mapping.items():
        fmt = report.date_formats.get(target)
        print(f"  {target:<18} <- {column}" + (f"   (dates: {fmt})" if fmt else ""))
    if report.ignored:
        print(f"ignored:  {', '.join(report.ignored)}")
    first = outputs[-1] if entity_name == TRANSACTIONS else outputs[0]
    first = next((o for o in outputs if o.entity.name == "order_items"), first)
    index = outputs.index(first)
    preview = connection.execute(f"select * exclude (_source_file) from output_{index} "
                                 f"order by _source_row limit {PREVIEW_ROWS}")  # fmt: skip
    names = [column[0] for column in preview.description]
    rows = [
        ["" if value is None else str(value).replace("\n", "\\n") for value in row]
        for row in preview.fetchall()
    ]
    widths = [min(24, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    print(f"preview ({first.entity.name}, first {len(rows)} rows):")
    print("  " + "  ".join(n[:w].ljust(w) for n, w in zip(names, widths, strict=True)))
    for row in rows:
        print("  " + "  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)))
    print("validation (what staging will do):")
    for entity, counts in report.counts.items():
        staged = counts.get("staged", 0)
        duplicates = counts.get("duplicate", 0)
        rejected = {k: v for k, v in counts.items() if k not in ("staged", "duplicate")}
        total = staged + duplicates + sum(rejected.values())
        print(
            f"  {entity:<12} {total:>10,} rows: {staged:,} staged, {duplicates:,} exact "
            f"duplicates dropped, {sum(rejected.values()):,} rejected"
        )
        for reason, count in sorted(rejected.items(), key=lambda item: (-item[1], item[0])):
            print(f"      {count:>10,}  {reason}")


def ingest(
    path: Path, entity_name: str, maps: list[str], date_format: str | None, sheet: str | None,
    landing: Path, dry_run: bool = False,
) -> Report:  # fmt: skip
    entities = contract.load()
    if entity_name not in entities and entity_name != TRANSACTIONS:
        valid = ", ".join([*entities, TRANSACTIONS])
        raise UserError(f"unknown entity {entity_name!r}; choose one of: {valid}")
    connection = duckdb.connect()
    print(f"reading {path} ...", file=sys.stderr, flush=True)
    source = read_source(connection, path, sheet)
    mapping = resolve_mapping(source, entity_name, entities, maps)
    kinds = {"amount": "decimal"}
    for entity in entities.values():
        for column in entity.columns:
            kinds.setdefault(column.name, column.kind)
    if entity_name in entities:
        kinds.update({column.name: column.kind for column in entities[entity_name].columns})
    report = Report(mapping, [c for c in source.columns if c not in mapping.values()], {})
    values = value_expressions(connection, mapping, kinds, date_format, report)
    outputs = build_outputs(entity_name, values, entities, str(path.resolve()))
    print("validating ...", file=sys.stderr, flush=True)
    report.counts = validate(connection, outputs, landing)
    print_report(source, entity_name, outputs, report, connection)
    if dry_run:
        print("dry run: nothing written")
    else:
        print("writing ...", file=sys.stderr, flush=True)
        report.written = write(connection, outputs, landing, path.stem)
        for written in report.written:
            print(f"written:  {written}")
    connection.close()
    return report


def main(args: argparse.Namespace) -> int:
    landing = Path(args.landing_dir) if args.landing_dir else landing_dir()
    ingest(Path(args.file), args.entity, args.map, args.date_format, args.sheet,
           landing.resolve(), args.dry_run)  # fmt: skip
    return 0

"""The mapped values as staging wants to read them: dates as ISO text, numbers with a
decimal point. The date format and each column's decimal mark are sniffed from the
values; a value that does not parse is kept as it is, for staging to reject with the raw
value."""

from __future__ import annotations

import re

import duckdb

from customer360.contract import Entity
from customer360.errors import UserError
from customer360.ingest.common import Report, first_line, literal, quote

SAMPLE_ROWS = 2000


# Date formats tried when sniffing, after ISO 8601 (which DuckDB casts directly), each
# with or without a time of day. On a tie the earlier wins, so month-first beats
# day-first unless a day above 12 proves it.
ISO = "ISO 8601"
DATE_FORMATS = [
    "%Y%m%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%b %d %Y",
    "%d-%b-%y",
]
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
    [(total, *counts)] = connection.execute(f"select count(*), {parsed} from {sample}").fetchall()
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


# The words a control flag (campaign_contacts.is_control) is landed as, after trimming and
# lower-casing: a yes/no flag, or the name of the customer's group in the experiment. Any
# other value is kept as it is, for staging to reject as unparseable.
TRUE_WORDS = ["true", "t", "yes", "y", "1", "control", "holdout", "hold-out", "control group"]
FALSE_WORDS = ["false", "f", "no", "n", "0", "treatment", "treated", "test", "contacted", "target"]


def boolean_expression(column: str) -> str:
    """'true' or 'false' for a known yes/no or group word, else the trimmed value."""
    value = f"lower(trim({quote(column)}))"
    words = ", ".join(literal(word) for word in TRUE_WORDS)
    others = ", ".join(literal(word) for word in FALSE_WORDS)
    return (
        f"case when {value} in ({words}) then 'true' when {value} in ({others}) then 'false' "
        f"else nullif(trim({quote(column)}), '') end"
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
    if kind == "boolean":
        return boolean_expression(column)
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

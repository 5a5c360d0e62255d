"""The landing suites: per landed entity, a schema suite (required columns present, each
of a type staging can cast) and a data suite over the values as staging types them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from customer360 import staging_rules as rules
from customer360.contract import Column, Entity, personal_marker
from customer360.errors import UserError
from customer360.quality.suites.checks import (
    FIX_LANDING,
    STAGING_REJECTS,
    WARNING,
    Check,
    Suite,
    between,
    quote,
    sql_string,
    where,
)

# The DuckDB types (base names) a landed column of each contract kind may have: text in
# CSV (read as text) or any type staging can cast without changing the value's meaning.
INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
)
NUMBER_TYPES = (*INTEGER_TYPES, "DECIMAL", "DOUBLE", "FLOAT")
TIME_TYPES = (
    "DATE",
    "TIMESTAMP",
    "TIMESTAMP_S",
    "TIMESTAMP_MS",
    "TIMESTAMP_NS",
    "TIMESTAMP WITH TIME ZONE",
)
ACCEPTED_TYPES = {
    "text": ("VARCHAR", *INTEGER_TYPES, "UUID"),
    "integer": ("VARCHAR", *NUMBER_TYPES),
    "decimal": ("VARCHAR", *NUMBER_TYPES),
    "date": ("VARCHAR", *TIME_TYPES),
    "timestamp": ("VARCHAR", *TIME_TYPES),
    "boolean": ("VARCHAR", "BOOLEAN"),
}
# Dates outside this range are typing slips (a year 20 instead of 2020, an epoch zero).
EARLIEST_DATE = dt.datetime(1900, 1, 1)
LATEST_DATE = dt.datetime(2100, 1, 1)


@dataclass(frozen=True)
class LandedEntity:
    """What is landed for an entity: the scan query and the landed type of each column."""

    entity: Entity
    scan: str | None  # a query over every landed file; None when nothing is landed
    types: dict[str, str]  # contract column -> DuckDB base type as landed


def inspect_landing(
    connection: duckdb.DuckDBPyConnection, folder: Path, entity: Entity
) -> LandedEntity:
    """Scan the Parquet and CSV files of one entity (as staging reads them)."""
    parts, types = [], {}
    scans = {
        "parquet": f"read_parquet({sql_string(str(folder / '*.parquet'))}, union_by_name = true)",
        "csv": f"read_csv({sql_string(str(folder / '*.csv'))}, header = true, "
        "all_varchar = true, union_by_name = true)",
    }
    present = {
        kind: bool(list(folder.glob(f"*.{kind}"))) if folder.is_dir() else False for kind in scans
    }
    as_text = present["parquet"] and present["csv"]
    for kind, scan in scans.items():
        if not present[kind]:
            continue
        try:
            described = connection.execute(f"describe select * from {scan}").fetchall()
        except duckdb.Error as error:
            raise UserError(
                f"{folder}: cannot read the landed {kind.upper()} files "
                f"({str(error).splitlines()[0]}); re-land them with `customer360 ingest`"
            ) from error
        landed = {row[0]: row[1] for row in described}
        columns = [name for name in entity.column_names if name in landed]
        for name in columns:
            base = "VARCHAR" if as_text else landed[name].split("(")[0].upper()
            if types.get(name, base) != base:
                base = "VARCHAR"
            types[name] = base
        parts.append((scan, columns))
    if not parts:
        return LandedEntity(entity, None, {})
    all_columns = [name for name in entity.column_names if name in types]
    selects = []
    for scan, columns in parts:
        values = [
            (f"cast({quote(name)} as varchar)" if as_text else quote(name))
            if name in columns
            else "cast(null as varchar)"
            for name in all_columns
        ]
        selects.append(
            "select "
            + ", ".join(
                f"{value} as {quote(name)}" for value, name in zip(values, all_columns, strict=True)
            )
            + f" from {scan}"
        )
    return LandedEntity(entity, "\nunion all by name\n".join(selects), types)


def typed_value(column: Column, landed_type: str) -> str:
    """The value as staging types it (customer360.staging_rules, staging's own macros,
    without the defaults), over the frame's `<column>__raw`; dates as timestamps and
    decimals as doubles for pandas (Decimal is slow and does not compare with float
    thresholds)."""
    value = rules.typed_value(column, landed_type=landed_type, defaults=False)
    if column.kind == "date":
        return f"cast({value} as timestamp)"
    if column.kind == "decimal":
        return f"cast({value} as double)"
    return value


def landing_suites(
    connection: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    entities: dict[str, Entity],
    as_of_date: dt.date | None,
) -> list[Suite]:
    """A schema suite and a data suite per landed entity (and per required entity)."""
    suites = []
    for entity in entities.values():
        landed = inspect_landing(connection, landing_dir / entity.name, entity)
        if landed.scan is None and not entity.required_entity:
            continue
        suites.extend(entity_suites(landed, as_of_date))
    return suites


def entity_suites(landed: LandedEntity, as_of_date: dt.date | None) -> list[Suite]:
    """The schema suite and the data suite of one entity."""
    return [schema_suite(landed), rows_suite(landed, as_of_date)]


def schema_suite(landed: LandedEntity) -> Suite:
    """The schema: required columns present, each landed column of a usable type."""
    entity = landed.entity
    table = entity.name
    schema_rows = [
        (name, landed.types[name]) for name in entity.column_names if name in landed.types
    ]
    schema_sql = (
        "select * from (values "
        + ", ".join(f"({sql_string(name)}, {sql_string(kind)})" for name, kind in schema_rows)
        + ") as landed(column_name, landed_type)"
        if schema_rows
        else "select cast(null as varchar) as column_name, cast(null as varchar) as landed_type "
        "where false"
    )
    schema_checks = [
        Check(
            f"{table}_has_required_columns",
            "ExpectColumnDistinctValuesToContainSet",
            {"column": "column_name", "value_set": entity.required_columns},
            notes="the contract's required columns (models/staging/_sources.yml)",
            advice=f"land every required column of {table}: {', '.join(entity.required_columns)}; "
            + FIX_LANDING,
        )
    ]
    for name, _ in schema_rows:
        column = entity.column(name)
        accepted = ACCEPTED_TYPES[column.kind]
        schema_checks.append(
            Check(
                f"{name}_type_is_{column.kind}",
                "ExpectColumnValuesToBeInSet",
                {
                    "column": "landed_type",
                    "value_set": list(accepted),
                    **where("column_name", name),
                },
                column=name,
                notes=f"contract type {column.data_type}; landed types staging can cast: "
                + ", ".join(accepted),
                advice=f"land {table}.{name} as {column.data_type} (or as text); " + FIX_LANDING,
            )
        )
    return Suite(
        "landing",
        f"{table}.columns",
        "landing",
        schema_sql,
        tuple(schema_checks),
        key="column_name",
        notes="the landed columns and their types",
    )


def rows_suite(landed: LandedEntity, as_of_date: dt.date | None) -> Suite:
    """The rows: typed values, unparseable text, nulls, value sets, ranges and dates."""
    entity = landed.entity
    table = entity.name
    checks: list[Check] = []
    if entity.required_entity:
        checks.append(
            Check(
                f"{table}_has_rows",
                "ExpectTableRowCountToBeBetween",
                {"min_value": 1},
                notes=f"{table} is a required entity",
                advice=f"land {table}: `customer360 demo` or `customer360 ingest FILE "
                f"--entity {table}`",
            )
        )
    selects = []
    for column in entity.columns:
        if column.name in landed.types:
            selects += frame_columns(column, landed.types[column.name])
            checks += required_checks(table, column) + value_checks(column)
    if table == "orders" and "ordered_at" in landed.types and as_of_date is not None:
        checks.append(
            between(
                "no_orders_after_as_of_date",
                "ordered_at",
                high=dt.datetime.combine(as_of_date, dt.time()),
                strict_high=True,
                severity=WARNING,
                notes=f"as-of date {as_of_date}: later orders are data (kept in the facts) "
                "but count towards no customer figure; an explicit past as_of_date is "
                "legitimate",
                advice="expected when as_of_date is set in the past; otherwise check the "
                "order timestamps",
            )
        )
    cleaned = ", ".join(  # the `<column>__raw` that staging's typed values read
        f"{rules.cleaned_value(entity.column(name), kind)} as {quote(name + '__raw')}"
        for name, kind in landed.types.items()
    )
    sql = (
        f"select {', '.join(selects)} from (select *, {cleaned} from ({landed.scan}))"
        if landed.scan and selects
        else "select 1 as no_columns where false"
    )
    return Suite(
        "landing",
        table,
        "landing",
        sql,
        without_personal_values(checks, entity),
        notes=f"every landed {table} file",
    )


def frame_columns(column: Column, landed_type: str) -> list[str]:
    """The data frame's columns for one landed column: its typed value; for a column of a
    type other than text also its value as landed (a required one must be there as
    landed, whether or not it parses) and the landed text that does not parse."""
    name = column.name
    typed = typed_value(column, landed_type)
    selects = [f"{typed} as {quote(name)}"]
    if column.kind == "text":
        return selects
    text = f"nullif(trim(cast({quote(name)} as varchar)), '')"
    if column.required:
        selects.append(f"{text} as {quote(name + '__landed')}")
    selects.append(
        f"case when {text} is not null and {typed} is null "
        f"then {text} end as {quote(name + '__unparseable')}"
    )
    return selects


def required_checks(table: str, column: Column) -> list[Check]:
    """A required column exists, and is not null as landed: staging rejects a row
    without it."""
    if not column.required:
        return []
    name = column.name
    landed_column = name if column.kind == "text" else f"{name}__landed"
    return [
        Check(
            f"{name}_exists",
            "ExpectColumnToExist",
            {"column": name},
            advice=f"land the column {table}.{name}; " + FIX_LANDING,
        ),
        Check(
            f"{name}_not_null",
            "ExpectColumnValuesToNotBeNull",
            {"column": landed_column},
            column=name,
            severity=WARNING,
            advice=STAGING_REJECTS,
            notes="rows without it are rejected as missing_key / missing_required",
        ),
    ]


def value_checks(column: Column) -> list[Check]:
    """The column's values parse, are in its accepted set and range, and its dates are
    plausible: warnings, since staging rejects the rows that fail them."""
    name = column.name
    checks = []
    if column.kind != "text":
        checks.append(
            Check(
                f"{name}_parses_as_{column.kind}",
                "ExpectColumnValuesToBeNull",
                {"column": f"{name}__unparseable"},
                severity=WARNING,
                column=name,
                notes=f"values that do not cast to {column.data_type} (shown as landed); "
                f"staging rejects them as unparseable:{name}",
                advice=STAGING_REJECTS,
            )
        )
    if column.accepted_values:
        checks.append(
            Check(
                f"{name}_in_accepted_values",
                "ExpectColumnValuesToBeInSet",
                {"column": name, "value_set": list(column.accepted_values)},
                severity=WARNING,
                advice=STAGING_REJECTS,
                notes=f"staging rejects other values as out_of_range:{name}",
            )
        )
    if column.min_value is not None or column.max_value is not None:
        checks.append(
            between(
                f"{name}_in_range",
                name,
                column.min_value,
                column.max_value,
                strict_low=column.min_exclusive,
                severity=WARNING,
                advice=STAGING_REJECTS,
                notes=f"staging rejects other values as out_of_range:{name}",
            )
        )
    if column.signed_return:  # a negative value is a returned line; zero is no line
        checks.append(
            Check(
                f"{name}_not_zero",
                "ExpectColumnValuesToNotBeInSet",
                {"column": name, "value_set": [0]},
                severity=WARNING,
                advice=STAGING_REJECTS,
                notes=f"a negative {name} is a returned line; staging rejects 0 as "
                f"out_of_range:{name}",
            )
        )
    if column.kind in ("date", "timestamp"):
        checks.append(
            between(
                f"{name}_between_1900_and_2100",
                name,
                EARLIEST_DATE,
                LATEST_DATE,
                strict_high=True,
                severity=WARNING,
                notes="a date outside 1900-2100 is usually a typing slip",
                advice="check the date format of the source file (ingest --date-format)",
            )
        )
    return checks


def without_personal_values(checks: list[Check], entity: Entity) -> tuple[Check, ...]:
    """The checks, those on a column the contract marks pii showing a marker instead of
    the values that fail them (the results, Data Docs and dashboards are read by BI)."""
    personal = {column.name for column in entity.columns if column.pii}
    marker = personal_marker(entity.name)
    return tuple(
        replace(check, personal=marker) if check.column_name in personal else check
        for check in checks
    )

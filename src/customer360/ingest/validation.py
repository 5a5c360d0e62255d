"""The outcome staging will give each row (staged, an exact duplicate, or a reject
reason), predicted before anything is written, against the files already landed."""

from __future__ import annotations

from pathlib import Path

import duckdb

from customer360 import staging_rules as rules
from customer360.contract import Entity
from customer360.errors import UserError
from customer360.ingest.common import Report, first_line, literal, quote
from customer360.ingest.outputs import Output


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

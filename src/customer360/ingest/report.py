"""The report on stdout: the file, the column mapping, a preview, what staging will do,
and notes on what ingest derived."""

from __future__ import annotations

import duckdb

from customer360.ingest.common import TRANSACTIONS, Report, Source, literal
from customer360.ingest.outputs import Output
from customer360.project import project_vars

PREVIEW_ROWS = 5


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
            notes.append(
                f"product_id = {name} (also landed as products)"
                if name
                else "product_id = 'UNKNOWN' (no product or category column)"
            )
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

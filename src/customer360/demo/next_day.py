"""One more day of orders on top of a landing zone, for incremental builds."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from customer360.demo.writing import contract_schema
from customer360.errors import UserError


def land_next_day(landing: Path, share: float = 1 / 365) -> tuple[str, int, int]:
    """Land one more day of orders after the newest landed order, for incremental builds.

    About `share` of the landed orders (picked by a hash of the order id, so the same
    landing zone always gives the same day) are copied with new order ids onto the day
    after the last order, at the same time of day, with their lines. Written as new files
    `orders/next-day-<date>.parquet` and `order_items/next-day-<date>.parquet`; nothing
    landed before changes. Returns the day and the orders and lines written.
    """
    if not 0 < share <= 1:
        raise UserError(f"the share of orders for one more day must be in (0, 1] (got {share})")
    orders_glob = str(landing / "orders" / "*.parquet")
    items_glob = str(landing / "order_items" / "*.parquet")
    buckets = 1_000_000
    connection = duckdb.connect()
    try:
        connection.execute(
            f"""
            create temp table picked as
            with landed as (
                select * from read_parquet(?, union_by_name = true)
            ),
            next_day as (
                select cast(max(ordered_at) as date) + 1 as day from landed
            )
            select
                landed.order_id as old_order_id,
                'D' || strftime(next_day.day, '%Y%m%d') || '-'
                    || lpad(cast(row_number() over (order by landed.order_id) as varchar), 9, '0')
                    as order_id,
                landed.customer_id,
                next_day.day + (landed.ordered_at - date_trunc('day', landed.ordered_at))
                    as ordered_at,
                landed.channel,
                landed.store_id,
                landed.status
            from landed
            cross join next_day
            where hash(landed.order_id) % {buckets} < {round(share * buckets)}
            """,
            [orders_glob],
        )
        day = connection.execute("select cast(min(ordered_at) as date) from picked").fetchall()
        if day[0][0] is None:
            raise UserError(f"no orders landed in {landing / 'orders'} to copy onto a new day")
        orders = connection.sql(
            "select order_id, customer_id, ordered_at, channel, store_id, status"
            " from picked order by order_id"
        ).to_arrow_table()
        items = connection.sql(
            """
            select
                picked.order_id,
                items.line_number,
                items.product_id,
                items.quantity,
                items.unit_price,
                items.discount_amount,
                items.unit_cost
            from read_parquet(?, union_by_name = true) as items
            inner join picked on items.order_id = picked.old_order_id
            order by picked.order_id, items.line_number
            """,
            params=[items_glob],
        ).to_arrow_table()
    finally:
        connection.close()
    day_text = day[0][0].isoformat()
    for entity, table in (("orders", orders), ("order_items", items)):
        folder = landing / entity
        temporary = folder / f".next-day-{day_text}.parquet.tmp"
        pq.write_table(table.cast(contract_schema(entity)), temporary)
        os.replace(temporary, folder / f"next-day-{day_text}.parquet")
    return day_text, orders.num_rows, items.num_rows

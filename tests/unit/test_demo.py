"""The demo generator: deterministic, complete, and shaped for the marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from customer360 import contract, demo


def read(landing: Path, sql: str) -> list[tuple]:
    connection = duckdb.connect()
    for entity in contract.load():
        connection.execute(
            f"create view {entity} as select * from read_parquet('{landing}/{entity}/*.parquet')"
        )
    return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "landing"
    demo.generate(path, customers=2000, seed=11, progress=False)
    return path


def test_every_entity_is_written_with_the_contract_columns(landing: Path) -> None:
    for name, entity in contract.load().items():
        columns = [
            column
            for (column,) in read(
                landing, f"select name from parquet_schema('{landing}/{name}/*.parquet') "
                "where name != 'schema'"
            )
        ]  # fmt: skip
        assert columns == entity.column_names, name


def table_digest(landing: Path) -> dict[str, tuple]:
    return {
        entity: read(landing, f"select count(*), sum(hash(columns(*))) from {entity}")[0]
        for entity in contract.load()
    }


def test_same_seed_gives_the_same_data_and_another_seed_does_not(
    landing: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    other = tmp_path / "other"
    demo.generate(again, customers=2000, seed=11, progress=False)
    demo.generate(other, customers=2000, seed=12, progress=False)
    assert table_digest(again) == table_digest(landing)
    assert table_digest(other)["order_items"] != table_digest(landing)["order_items"]


def test_rows_follow_the_contract_rules(landing: Path) -> None:
    [(bad_lines,)] = read(
        landing,
        "select count(*) from order_items where quantity <= 0 or unit_price < 0 "
        "or discount_amount < 0 or discount_amount > quantity * unit_price",
    )
    [(duplicate_keys,)] = read(
        landing,
        "select count(*) - count(distinct (session_id, logged_at)) from device_logs",
    )
    assert (bad_lines, duplicate_keys) == (0, 0)


def test_the_data_has_churn_one_time_buyers_returns_and_both_channels(landing: Path) -> None:
    [(churned, one_order, returned, cancelled, store, online)] = read(
        landing,
        """
        with last_order as (
            select customer_id, max(ordered_at) as last_at, count(*) as orders
            from orders group by customer_id
        )
        select
            (select count(*) from last_order
             where last_at < (select max(ordered_at) from orders) - interval 180 day),
            (select count(*) from last_order where orders = 1),
            (select count(*) from orders where status = 'returned'),
            (select count(*) from orders where status = 'cancelled'),
            (select count(*) from orders where channel = 'store'),
            (select count(*) from orders where channel = 'online')
        """,
    )
    assert min(churned, one_order, returned, cancelled, store, online) > 0


def test_some_pairs_are_frequent_and_a_dead_stock_product_is_in_one(landing: Path) -> None:
    rows = read(
        landing,
        """
        with baskets as (
            select distinct items.order_id, items.product_id
            from order_items as items join orders using (order_id)
            where orders.status = 'completed'
        ),
        pairs as (
            select left_side.product_id as a, right_side.product_id as b,
                count(*) / (select count(distinct order_id) from baskets) as support
            from baskets as left_side join baskets as right_side
                on left_side.order_id = right_side.order_id
                and left_side.product_id < right_side.product_id
            group by all
        ),
        sold as (
            select product_id, sum(quantity) as units
            from order_items join orders using (order_id)
            where status = 'completed' group by all
        ),
        dead as (
            select product_id
            from (select product_id, sum(quantity_received) as received
                  from inventory group by all)
            left join sold using (product_id)
            where coalesce(units, 0) / received < 0.6
        )
        select a, b, support, a in (select * from dead) or b in (select * from dead)
        from pairs where support >= 0.1
        """,
    )
    assert rows, "no product pair reaches 10 % support"
    assert any(has_dead_stock for *_, has_dead_stock in rows)


def test_device_logs_include_anonymous_visitors_and_every_device_type(landing: Path) -> None:
    [(anonymous_share, device_types)] = read(
        landing,
        "select avg((customer_id is null)::int), count(distinct device_type) from device_logs",
    )
    assert 0.1 < anonymous_share < 0.6
    assert device_types == 4


def test_zero_customers_is_refused() -> None:
    with pytest.raises(demo.UserError):
        demo.generate(Path("/nonexistent"), customers=0, seed=1, progress=False)

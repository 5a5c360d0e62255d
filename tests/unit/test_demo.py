"""The demo generator: deterministic, complete, clean and shaped for the marts."""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from customer360 import contract, demo
from customer360.cli import main as cli_main
from customer360.errors import UserError

CUSTOMERS = 2000


def connect(landing: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB with one view per landing entity."""
    connection = duckdb.connect()
    for entity in contract.load():
        connection.execute(
            f"create view {entity} as "
            f"select * from read_parquet('{landing}/{entity}/part-*.parquet')"
        )
    return connection


def one(landing: Path, sql: str) -> tuple:
    [row] = connect(landing).execute(sql).fetchall()
    return row


def contents(landing: Path) -> dict[str, pa.Table]:
    return {
        f"{entity}/{path.name}": pq.read_table(path)
        for entity in contract.load()
        for path in sorted((landing / entity).glob("*.parquet"))
    }


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "landing"
    demo.generate(path, customers=CUSTOMERS, seed=11, progress=False)
    return path


# ------------------------------------------------------------------ contract and rules


def expected_types(data_type: str) -> list[pa.DataType]:
    base = data_type.split("(")[0].lower()
    if base == "decimal":
        precision, scale = map(int, data_type[data_type.index("(") + 1 : -1].split(","))
        return [pa.decimal128(precision, scale), pa.float64()]
    return {
        "varchar": [pa.string()],
        "timestamp": [pa.timestamp("us")],
        "date": [pa.date32()],
        "integer": [pa.int32(), pa.int64()],
        "boolean": [pa.bool_()],
    }[base]


def test_every_entity_is_written_with_exactly_the_contract_columns_and_types(
    landing: Path,
) -> None:
    entities = contract.load()
    assert sorted(path.name for path in landing.iterdir()) == sorted(entities)
    for name, entity in entities.items():
        parts = sorted((landing / name).iterdir())
        assert parts, name
        assert all(path.name.startswith("part-") for path in parts), name
        for path in parts:
            schema = pq.read_schema(path)
            assert schema.names == entity.column_names, path
            for column in entity.columns:
                assert schema.field(column.name).type in expected_types(column.data_type), (
                    f"{name}.{column.name}"
                )
        assert pq.read_table(landing / name).num_rows > 0, name


def rule_violations(entity: contract.Entity) -> dict[str, str]:
    """SQL conditions for the contract's rules, one per rule, as staging applies them."""
    checks = {}
    for column in entity.columns:
        name = column.name
        if column.required:
            checks[f"required {name}"] = f"{name} is null"
        if column.accepted_values:
            values = ", ".join(f"'{value}'" for value in column.accepted_values)
            checks[f"accepted {name}"] = f"lower(trim({name})) not in ({values})"
        if column.min_value is not None:
            operator = "<=" if column.min_exclusive else "<"
            checks[f"min {name}"] = f"{name} {operator} {column.min_value}"
        if column.max_value is not None:
            checks[f"max {name}"] = f"{name} > {column.max_value}"
        if column.kind == "text":
            checks[f"blank {name}"] = f"{name} is not null and trim({name}) = ''"
    return checks


def test_no_row_breaks_a_contract_rule(landing: Path) -> None:
    connection = connect(landing)
    broken = {}
    for name, entity in contract.load().items():
        for rule, condition in rule_violations(entity).items():
            [(count,)] = connection.execute(
                f"select count(*) from {name} where {condition}"
            ).fetchall()
            if count:
                broken[f"{name}: {rule}"] = count
        grain = ", ".join(entity.grain)
        [(duplicates,)] = connection.execute(
            f"select count(*) - count(distinct ({grain})) from {name}"
        ).fetchall()
        if duplicates:
            broken[f"{name}: duplicate grain"] = duplicates
        for column, parent in entity.references.items():
            [(orphans,)] = connection.execute(
                f"select count(*) from {name} where {column} not in (select {column} from {parent})"
            ).fetchall()
            if orphans:
                broken[f"{name}: orphan {column}"] = orphans
    assert broken == {}


def test_order_lines_are_numbered_one_to_at_most_six_with_sane_amounts(landing: Path) -> None:
    lines_per_order = one(
        landing,
        """
        select min(lines), max(lines), count(*) filter (where max_line <> lines),
            (select count(*) from order_items where discount_amount > quantity * unit_price),
            (select count(*) from order_items where unit_cost is not null),
            (select count(*) from order_items where discount_amount > 0),
            (select count(*) from orders where order_id not in (select order_id from order_items))
        from (select order_id, count(*) as lines, max(line_number) as max_line
              from order_items group by order_id)
        """,
    )
    smallest, largest, gaps, over_discounted, own_cost, discounted, empty = lines_per_order
    assert (smallest, largest, gaps, over_discounted, empty) == (1, 6, 0, 0, 0)
    assert own_cost > 0 and discounted > 0


def test_unit_costs_are_below_prices(landing: Path) -> None:
    [(products, cheaper)] = [
        one(
            landing, "select count(*), count(*) filter (where unit_cost < list_price) from products"
        )
    ]
    assert products == cheaper == 300


# ------------------------------------------------------------------------ determinism


def test_same_seed_gives_the_same_files_and_another_seed_does_not(
    landing: Path, tmp_path: Path
) -> None:
    demo.generate(tmp_path / "again", customers=CUSTOMERS, seed=11, progress=False)
    demo.generate(tmp_path / "other", customers=CUSTOMERS, seed=12, progress=False)
    original = contents(landing)
    again = contents(tmp_path / "again")
    other = contents(tmp_path / "other")
    assert original.keys() == again.keys()
    assert all(original[part].equals(again[part]) for part in original)
    assert not original["order_items/part-00000.parquet"].equals(
        other["order_items/part-00000.parquet"]
    )
    assert not original["customers/part-00000.parquet"].equals(
        other["customers/part-00000.parquet"]
    )


def test_runs_across_chunks_are_deterministic_and_extend_smaller_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK_CUSTOMERS", 700)
    three = demo.generate(tmp_path / "three", customers=1500, seed=5, progress=False)
    again = demo.generate(tmp_path / "again", customers=1500, seed=5, progress=False)
    demo.generate(tmp_path / "two", customers=1400, seed=5, progress=False)
    assert three == again
    assert sorted(path.name for path in (tmp_path / "three" / "orders").iterdir()) == [
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
    ]
    # chunk n depends on (seed, n) only: the first two chunks are the 1,400-customer run
    bigger, smaller = contents(tmp_path / "three"), contents(tmp_path / "two")
    for part in ("part-00000.parquet", "part-00001.parquet"):
        for entity in ("customers", "orders", "order_items", "device_logs", "email_events"):
            assert bigger[f"{entity}/{part}"].equals(smaller[f"{entity}/{part}"]), entity
    assert three["customers"] == 1500
    assert one(
        tmp_path / "three",
        "select count(distinct customer_id) = count(*) from customers",
    ) == (True,)
    assert one(
        tmp_path / "three",
        "select count(distinct order_id) = count(*), "
        "(select count(distinct session_id) from device_logs) "
        "= (select count(*) from (select distinct session_id, customer_id from device_logs)) "
        "from orders",
    ) == (True, True)


# -------------------------------------------------------------------------- the shape


def test_customers_have_churn_one_time_buyers_non_buyers_and_guests(landing: Path) -> None:
    churned, one_order, buyers, without_orders, guests = one(
        landing,
        """
        with last_order as (
            select customer_id, max(ordered_at) as last_at, count(*) as orders
            from orders
            where customer_id in (select customer_id from customers)
            group by customer_id
        )
        select
            count(*) filter (
                where last_at < (select max(ordered_at) from orders) - interval 180 day
            ),
            count(*) filter (where orders = 1),
            count(*),
            (select count(*) from customers) - count(*),
            (select count(*) from orders
             where customer_id not in (select customer_id from customers))
        from last_order
        """,
    )
    assert 0.25 < churned / buyers < 0.6
    assert 0.1 < one_order / buyers < 0.4
    assert without_orders > 0 and guests > 0


def test_purchase_rates_are_heavy_tailed(landing: Path) -> None:
    [(top_decile_share,)] = [
        one(
            landing,
            """
            with spend as (
                select orders.customer_id, sum(quantity * unit_price) as revenue
                from orders join order_items using (order_id)
                group by all
            )
            select sum(revenue) filter (where decile = 1) / sum(revenue)
            from (select revenue, ntile(10) over (order by revenue desc) as decile from spend)
            """,
        )
    ]
    assert top_decile_share > 0.3


def test_orders_have_both_channels_and_every_status(landing: Path) -> None:
    store, online, store_without_id, online_with_id, completed, returned, cancelled = one(
        landing,
        """
        select
            count(*) filter (where channel = 'store'),
            count(*) filter (where channel = 'online'),
            count(*) filter (where channel = 'store' and store_id is null),
            count(*) filter (where channel = 'online' and store_id is not null),
            avg((status = 'completed')::int),
            count(*) filter (where status = 'returned'),
            count(*) filter (where status = 'cancelled')
        from orders
        """,
    )
    assert 0.55 < online / (store + online) < 0.85
    assert (store_without_id, online_with_id) == (0, 0)
    assert 0.85 < completed < 0.97 and returned > 0 and cancelled > 0


def test_about_ten_order_lines_per_customer(landing: Path) -> None:
    [(lines,)] = [one(landing, "select count(*) from order_items")]
    assert 8 * CUSTOMERS < lines < 12 * CUSTOMERS


FREQUENT_PAIRS = """
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
stock as (
    select product_id, coalesce(units, 0) / received as sold_ratio
    from (select product_id, sum(quantity_received) as received from inventory group by all)
    left join sold using (product_id)
)
"""


def test_some_pairs_are_frequent_and_a_dead_stock_product_is_in_one(landing: Path) -> None:
    rows = (
        connect(landing)
        .execute(
            FREQUENT_PAIRS
            + """
        select a, b, support, least(stock_a.sold_ratio, stock_b.sold_ratio) < 0.6
        from pairs
        join stock as stock_a on pairs.a = stock_a.product_id
        join stock as stock_b on pairs.b = stock_b.product_id
        where support >= 0.1
        """
        )
        .fetchall()
    )
    assert rows, "no product pair reaches 10 % support"
    assert any(has_dead_stock for *_, has_dead_stock in rows)


def test_a_fifth_of_the_catalogue_is_dead_stock(landing: Path) -> None:
    dead_share, well_sold_share = one(
        landing,
        FREQUENT_PAIRS
        + "select avg((sold_ratio < 0.6)::int), avg((sold_ratio >= 0.65)::int) from stock",
    )
    assert 0.15 <= dead_share <= 0.25
    assert dead_share + well_sold_share == pytest.approx(1.0)


def test_device_logs_have_anonymous_visitors_devices_and_memory(landing: Path) -> None:
    anonymous, device_types, memory_values, no_memory, bad_screens = one(
        landing,
        """
        select
            avg((customer_id is null)::int),
            list(distinct device_type order by device_type),
            list(distinct device_memory_gb::double order by device_memory_gb::double)
                filter (where device_memory_gb is not null),
            count(*) filter (where device_memory_gb is null),
            count(*) filter (where device_type = 'phone' and screen_width > screen_height
                or device_type = 'desktop' and screen_width < 1280)
        from device_logs
        """,
    )
    assert 0.25 < anonymous < 0.45
    assert device_types == ["desktop", "other", "phone", "tablet"]
    assert set(memory_values) <= {0.5, 1.0, 2.0, 4.0, 8.0} and len(memory_values) == 5
    assert no_memory > 0 and bad_screens == 0


def test_email_events_follow_sends_and_campaigns_contact_their_customers(landing: Path) -> None:
    event_types, opens_without_send, unknown_campaigns, contacts_outside = one(
        landing,
        """
        select
            (select list(distinct event_type order by event_type) from email_events),
            (select count(*) from email_events as event
             where event_type <> 'sent' and not exists (
                select 1 from email_events as send
                where send.event_type = 'sent' and send.customer_id = event.customer_id
                    and send.campaign_id = event.campaign_id and send.event_at <= event.event_at)),
            (select count(*) from email_events
             where campaign_id not like 'NL-%'
                and campaign_id not in (select campaign_id from campaigns)),
            (select count(*) from campaign_contacts join campaigns using (campaign_id)
             where contacted_at not between started_at and ended_at
                or customer_id not in (select customer_id from customers))
        """,
    )
    assert event_types == ["bounce", "click", "open", "sent", "unsubscribe"]
    assert (opens_without_send, unknown_campaigns, contacts_outside) == (0, 0, 0)
    campaigns, channels, contacted = one(
        landing,
        "select count(*), list(distinct channel order by channel), "
        "(select count(distinct campaign_id) from campaign_contacts) from campaigns",
    )
    assert 4 <= campaigns <= 6 and channels == ["email", "sms", "web"] and contacted == campaigns


def test_every_campaign_holds_out_a_control_group_that_gets_no_campaign_email(
    landing: Path,
) -> None:
    """About CONTROL_SHARE of each campaign's contacts are controls; a control customer has
    no cost and is sent no e-mail of the campaign."""
    shares, costed_controls, mailed_controls = one(
        landing,
        """
        select
            (select list(share order by campaign_id) from (
                select campaign_id, avg(is_control::int) as share
                from campaign_contacts group by campaign_id)),
            (select count(*) from campaign_contacts where is_control and cost is not null),
            (select count(*) from campaign_contacts as contact
             join email_events as event using (customer_id, campaign_id)
             where contact.is_control)
        """,
    )
    assert all(0.1 < share < 0.3 for share in shares), shares
    assert (costed_controls, mailed_controls) == (0, 0)


def test_customer_details_are_fake_but_tricky_and_consistent(landing: Path) -> None:
    unique_emails, lower_case, apostrophes, non_ascii, no_birth_date, late_signup = one(
        landing,
        """
        select
            count(distinct email) = count(*),
            count(*) filter (where email <> lower(email)) = 0,
            count(*) filter (where full_name like '%''%'),
            count(*) filter (where regexp_matches(full_name, '[^\\x00-\\x7F]')),
            count(*) filter (where birth_date is null),
            count(*) filter (where signup_date > date '2025-12-31')
        from customers
        """,
    )
    assert unique_emails and lower_case
    assert apostrophes > 0 and non_ascii > 0 and no_birth_date > 0 and late_signup == 0


def test_events_have_amounts_only_for_transactions_and_usage(landing: Path) -> None:
    event_types, misplaced_amounts, missing_amounts = one(
        landing,
        """
        select list(distinct event_type order by event_type),
            count(*) filter (where amount is not null
                and event_type not in ('transaction', 'data_usage')),
            count(*) filter (where amount is null and event_type in ('transaction', 'data_usage'))
        from events
        """,
    )
    assert set(event_types) == {
        "login",
        "support_contact",
        "transaction",
        "data_usage",
        "billing_complaint",
        "payment_delay",
    }
    assert (misplaced_amounts, missing_amounts) == (0, 0)


def test_history_stays_inside_the_window(landing: Path) -> None:
    [(earliest, latest)] = (
        connect(landing)
        .execute(
            """
        select min(moment), max(moment) from (
            select ordered_at as moment from orders
            union all select logged_at from device_logs
            union all select event_at from email_events
            union all select event_at from events
            union all select received_on::timestamp from inventory
        )
        """
        )
        .fetchall()
    )
    assert str(earliest) >= "2023-01-01" and str(latest) < "2026-01-01"
    assert str(latest) >= "2025-12-01"


# ------------------------------------------------------------------------ the command


def test_the_command_replaces_the_entity_folders_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = tmp_path / "landing"
    (landing / "orders").mkdir(parents=True)
    (landing / "orders" / "stale.csv").write_text("order_id\nX1\n")
    (landing / "notes.txt").write_text("not an entity")
    args = argparse.Namespace(customers=300, seed=3, landing_dir=str(landing), quiet=True)
    assert demo.main(args) == 0
    assert not (landing / "orders" / "stale.csv").exists()
    assert (landing / "notes.txt").read_text() == "not an entity"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["landing"]  # no temp folder
    out = capsys.readouterr().out
    for entity in contract.load():
        assert f"  {entity} " in out
    assert "       300 rows" in out


@pytest.mark.parametrize("arguments", [["--customers", "0"], ["--seed", "-1"]])
def test_bad_arguments_are_refused_without_touching_the_landing_zone(
    arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = tmp_path / "landing"
    assert cli_main(["demo", "--quiet", "--landing-dir", str(landing), *arguments]) == 1
    assert "error:" in capsys.readouterr().err
    assert not landing.exists()
    with pytest.raises(UserError):
        demo.generate(landing, customers=0, seed=1, progress=False)


def test_one_more_day_copies_a_share_of_the_orders_onto_the_next_day(
    landing: Path, tmp_path: Path
) -> None:
    copies = []
    for run in range(2):
        copy = tmp_path / f"copy{run}"
        for entity in ("orders", "order_items"):
            shutil.copytree(landing / entity, copy / entity)
        copies.append((copy, demo.land_next_day(copy, share=0.05)))
    (copy, (day, orders, lines)), (again, second) = copies
    assert second == (day, orders, lines)
    newest = one(landing, "select max(cast(ordered_at as date)) from orders")[0]
    assert day == str(newest + dt.timedelta(days=1))
    landed = one(landing, "select count(*) from orders")[0]
    assert 0.03 * landed < orders < 0.07 * landed
    for entity in ("orders", "order_items"):
        [written] = (copy / entity).glob("next-day-*.parquet")
        assert written.name == f"next-day-{day}.parquet"
        assert pq.read_table(written).equals(pq.read_table(again / entity / written.name))
        assert pq.read_schema(written) == demo.contract_schema(entity)
    new_orders = pq.read_table(copy / "orders" / f"next-day-{day}.parquet")
    new_lines = pq.read_table(copy / "order_items" / f"next-day-{day}.parquet")
    assert new_lines.num_rows == lines
    # new, unique order ids, all on the new day, and every line belongs to one of them
    ids = set(new_orders["order_id"].to_pylist())
    assert len(ids) == orders and not ids & set(
        pq.read_table(landing / "orders")["order_id"].to_pylist()
    )
    assert {stamp.date() for stamp in new_orders["ordered_at"].to_pylist()} == {
        newest + dt.timedelta(days=1)
    }
    assert set(new_lines["order_id"].to_pylist()) <= ids


def test_one_more_day_refuses_an_empty_share(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="share"):
        demo.land_next_day(tmp_path, share=0)

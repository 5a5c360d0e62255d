"""Non-product lines (postage, fees, gift vouchers, ...): a POST line's revenue counts in
the order and in the customer's monetary value, but POST is no product — not in a basket,
not dead stock, not among a customer's unique products. Every figure is recomputed here
from the rows landed, independently of the warehouse."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import Build, run_dbt

pytestmark = pytest.mark.integration

PRODUCTS = {"P1": "Eco Mug", "P2": "Tea Towel", "PADS": "PADS TO MATCH ALL CUSHIONS"}
NON_PRODUCTS = {"POST": "POSTAGE"}
# units received: POST "receives" far more than it sells, so it would be dead stock if it
# counted as a product; P2 is over-stocked and is dead stock
RECEIVED = {"P1": 10, "P2": 500, "PADS": 10, "POST": 1000}
DEAD_STOCK_RATIO = 0.6
START = dt.date(2024, 3, 1)
DAYS = 20


def landing_rows() -> tuple[list[tuple], list[tuple]]:
    """Orders (id, customer, day) and lines (order, product, quantity, unit price): about
    half the orders carry a POST line, and one order is postage alone."""
    rng = random.Random(11)
    orders, lines = [], []
    for number in range(1, 81):
        order_id = f"O{number}"
        orders.append(
            (order_id, f"C{rng.randint(1, 30)}", START + dt.timedelta(rng.randrange(DAYS)))
        )
        if number == 80:  # postage alone (a re-sent parcel): revenue, but no basket
            lines.append((order_id, "POST", 1, Decimal("4.95")))
            continue
        for product_id in rng.sample(sorted(PRODUCTS), rng.randint(1, 2)):
            lines.append((order_id, product_id, rng.randint(1, 3), Decimal("9.50")))
        if rng.random() < 0.5:
            lines.append((order_id, "POST", 1, Decimal("3.25")))
    return orders, lines


def write_landing(landing: Path, orders: list[tuple], lines: list[tuple]) -> None:
    files = {
        "orders": ["order_id,customer_id,ordered_at"]
        + [f"{order},{customer},{day} 10:00:00" for order, customer, day in orders],
        "order_items": ["order_id,product_id,quantity,unit_price"]
        + [f"{order},{product},{quantity},{price}" for order, product, quantity, price in lines],
        "products": ["product_id,product_name"]
        + [f"{key},{name}" for key, name in {**PRODUCTS, **NON_PRODUCTS}.items()],
        "inventory": ["product_id,received_on,quantity_received"]
        + [f"{key},{START - dt.timedelta(days=7)},{units}" for key, units in RECEIVED.items()],
    }
    for entity, rows in files.items():
        (landing / entity).mkdir(parents=True)
        (landing / entity / f"{entity}.csv").write_text("\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("non_product_lines")
    orders, lines = landing_rows()
    write_landing(work / "landing", orders, lines)
    build = run_dbt(Build(work / "landing", work / "warehouse.duckdb", work / "target"), "build")
    assert build.returncode == 0, build.output[-5000:]
    return {"work": work, "build": build, "orders": orders, "lines": lines}


def test_postage_counts_in_revenue(landed: dict) -> None:
    customer_of = {order: customer for order, customer, _ in landed["orders"]}
    order_revenue: dict[str, Decimal] = defaultdict(Decimal)
    for order, _, quantity, price in landed["lines"]:
        order_revenue[order] += quantity * price
    monetary: dict[str, Decimal] = defaultdict(Decimal)
    for order, revenue in order_revenue.items():
        monetary[customer_of[order]] += revenue
    assert any(product == "POST" for _, product, _, _ in landed["lines"])

    build = landed["build"]
    assert dict(build.query("select order_id, revenue from marts.fct_orders")) == order_revenue
    built_monetary = dict(
        build.query("select customer_id, monetary from marts.customer_metrics where has_purchased")
    )
    assert built_monetary == monetary


def test_postage_is_no_product(landed: dict) -> None:
    build = landed["build"]
    baskets = {(order, product) for order, product, _, _ in landed["lines"] if product != "POST"}
    assert set(build.query("select order_id, product_id from marts.fct_basket_items")) == baskets
    assert "O80" not in {order for order, _ in baskets}  # postage alone is no basket

    bought: dict[str, set[str]] = defaultdict(set)
    customer_of = {order: customer for order, customer, _ in landed["orders"]}
    for order, product in baskets:
        bought[customer_of[order]].add(product)
    built_unique = dict(
        build.query(
            "select customer_id, unique_products from marts.customer_metrics where has_purchased"
        )
    )
    assert built_unique == {customer: len(bought[customer]) for customer in built_unique}

    sold: dict[str, int] = defaultdict(int)
    for _, product, quantity, _ in landed["lines"]:
        sold[product] += quantity
    assert sold["POST"] / RECEIVED["POST"] < DEAD_STOCK_RATIO  # would be dead stock
    dead = {key for key in PRODUCTS if sold[key] / RECEIVED[key] < DEAD_STOCK_RATIO}
    assert dead == {"P2"}
    health = dict(build.query("select product_id, is_dead_stock from marts.product_stock_health"))
    assert health == {key: key in dead for key in PRODUCTS}

    assert set(
        build.query(
            "select product_id, line_kind, is_product, is_in_catalogue from marts.dim_products"
        )
    ) == {(key, "product", True, True) for key in PRODUCTS} | {("POST", "postage", False, True)}
    [(non_product_lines,)] = build.query(
        "select count(*) from marts.fct_order_lines where not is_product_line"
    )
    assert non_product_lines == sum(1 for line in landed["lines"] if line[1] == "POST")


def test_switching_the_rules_off_rebuilds_the_order_lines(landed: dict) -> None:
    """An incremental run after `exclude_non_product_lines: false` must not keep the old
    flag on the lines before the look-back window: the guard sees the change."""
    work = landed["work"]
    build = Build(landed["build"].landing, work / "switched_off.duckdb", work / "target_off")
    shutil.copyfile(landed["build"].database, build.database)
    build = run_dbt(build, "build", vars_="{exclude_non_product_lines: false}")
    assert build.returncode == 0, build.output[-5000:]
    assert "rebuilding the whole table" in build.output
    assert build.query("select count(*) from marts.fct_order_lines where not is_product_line") == [
        (0,)
    ]
    [(post_baskets,)] = build.query(
        "select count(*) from marts.fct_basket_items where product_id = 'POST'"
    )
    assert post_baskets == sum(1 for line in landed["lines"] if line[1] == "POST")

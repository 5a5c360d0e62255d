"""Real-world exports, end to end: files shaped like public retail and basket data sets are
ingested with the CLI into an empty landing zone and the whole project is built. Every
customer's figures are then compared with an independent pandas computation of the
documented rules, straight from the file.

The retail export has what real ones have: cancellation invoices (`C` prefix, negative
quantities), returned lines inside sale invoices, guest invoices without a customer, lines
of one invoice a minute apart, postage lines and a few truly broken rows (bad-debt
adjustments with a negative price). The basket file has a member, a day and an item, and
no price or order id.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import Build, run_cli, run_dbt

pytestmark = pytest.mark.integration

PRODUCTS = [
    (f"{20000 + n}", f"PRODUCT {n}", Decimal(f"{1 + n % 9}.{n % 100:02d}")) for n in range(60)
]
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"


def retail_export(path: Path, seed: int = 11) -> None:
    """About 450 invoices over 14 months, written as an online-retail CSV export."""
    rng = random.Random(seed)
    start = datetime(2010, 12, 1, 8, 0)
    rows = [HEADER]
    bought: dict[str, list[tuple[str, str, Decimal]]] = {}
    for number in range(450):
        moment = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 420))
        guest = rng.random() < 0.25
        customer = "" if guest else str(12000 + rng.randrange(120))
        invoice = str(536000 + number)
        if customer and bought.get(customer) and rng.random() < 0.08:
            # a cancellation invoice: some of what the customer bought, given back
            for product, name, price in rng.sample(bought[customer], min(2, len(bought[customer]))):
                quantity = -rng.randint(1, 2)
                rows.append(
                    f"C{invoice},{product},{name},{quantity},{stamp(moment)},{price},"
                    f"{customer},United Kingdom"
                )
            continue
        for line in range(rng.randint(1, 5)):
            product, name, price = rng.choice(PRODUCTS)
            quantity = rng.randint(1, 12)
            if line and rng.random() < 0.05:
                quantity = -quantity  # a returned line inside a sale invoice
            # lines of one invoice may carry times a minute or two apart
            when = moment + timedelta(minutes=rng.choice([0, 0, 0, 1, 2]))
            rows.append(
                f"{invoice},{product},{name},{quantity},{stamp(when)},{price},"
                f"{customer},United Kingdom"
            )
            if customer and quantity > 0:
                bought.setdefault(customer, []).append((product, name, price))
        if rng.random() < 0.1:
            rows.append(f"{invoice},POST,POSTAGE,1,{stamp(moment)},18.00,{customer},United Kingdom")
        if rng.random() < 0.01:
            rows.append(f"{invoice}A,B,Adjust bad debt,1,{stamp(moment)},-1062.06,,United Kingdom")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def stamp(moment: datetime) -> str:
    """The export's month-first time without leading zeros, e.g. 12/1/2010 8:26."""
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}"


def expected_customer_figures(path: Path) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The documented rules, computed from the file with pandas alone: an order is an
    invoice; a line is returned when its quantity is negative or its invoice is a
    cancellation (C prefix); an order is a return document when every line is returned;
    a purchase is a completed order with a sold line; gross spend sums sold lines, returned
    value the returned lines, monetary = max(gross - returned, 0). Lines with a negative
    price are broken (rejected), and the as-of date is the day after the last order."""
    lines = pd.read_csv(path, dtype=str, keep_default_na=False)
    lines["price"] = lines["UnitPrice"].map(Decimal)
    lines = lines[lines["price"] >= 0].copy()
    lines["quantity"] = lines["Quantity"].astype(int)
    lines["time"] = pd.to_datetime(lines["InvoiceDate"], format="%m/%d/%Y %H:%M")
    lines["value"] = [abs(q) * p for q, p in zip(lines["quantity"], lines["price"], strict=True)]
    lines["returned"] = (lines["quantity"] < 0) | lines["InvoiceNo"].str.startswith("C")
    orders = lines.groupby("InvoiceNo").agg(
        customer=("CustomerID", "first"),
        time=("time", "min"),
        every_line_returned=("returned", "all"),
    )
    as_of = orders["time"].max().normalize() + pd.Timedelta(days=1)
    lines = lines.join(orders["every_line_returned"], on="InvoiceNo")
    lines = lines[lines["CustomerID"] != ""]
    sold = lines[~lines["returned"]]
    purchases = orders[(orders["customer"] != "") & ~orders["every_line_returned"]]
    figures = pd.DataFrame(
        {
            "frequency": purchases.groupby("customer").size(),
            "last_purchase": purchases.groupby("customer")["time"].max(),
            "gross_spend": sold.groupby("CustomerID")["value"].sum(),
            "returned_value": lines[lines["returned"]].groupby("CustomerID")["value"].sum(),
        }
    )
    figures["frequency"] = figures["frequency"].fillna(0).astype(int)
    figures[["gross_spend", "returned_value"]] = figures[["gross_spend", "returned_value"]].map(
        lambda v: Decimal(0) if pd.isna(v) else v
    )
    figures["net_spend"] = figures["gross_spend"] - figures["returned_value"]
    figures["monetary"] = figures["net_spend"].map(lambda v: max(v, Decimal(0)))
    figures.loc[figures["frequency"] == 0, "monetary"] = Decimal(0)
    return figures, as_of


@pytest.fixture(scope="module")
def retail(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Path]:
    work = tmp_path_factory.mktemp("retail")
    export = work / "online_retail.csv"
    retail_export(export)
    landing = work / "landing"
    result = run_cli(
        "ingest", str(export), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert result.returncode == 0, result.stderr
    build = run_dbt(Build(landing, work / "warehouse.duckdb", work / "target"), "build")
    assert build.returncode == 0, build.output[-5000:]
    return build, export


def test_every_customer_figure_equals_an_independent_computation(retail) -> None:
    build, export = retail
    expected, as_of = expected_customer_figures(export)
    actual = build.query(
        "select customer_id, frequency, gross_spend, returned_value, net_spend, monetary, "
        "recency_days from marts.customer_metrics"
    )
    assert len(actual) == len(expected) > 100
    for customer, frequency, gross, returned, net, monetary, recency in actual:
        row = expected.loc[customer]
        assert frequency == row["frequency"], customer
        assert (gross, returned, net, monetary) == (
            row["gross_spend"],
            row["returned_value"],
            row["net_spend"],
            row["monetary"],
        ), customer
        if frequency:
            assert recency == (as_of - row["last_purchase"].normalize()).days, customer


def test_returns_are_the_cancellation_documents_and_rejects_only_broken_lines(retail) -> None:
    build, export = retail
    lines = pd.read_csv(export, dtype=str, keep_default_na=False)
    cancellations = lines.loc[lines["InvoiceNo"].str.startswith("C"), "InvoiceNo"].nunique()
    broken = (lines["UnitPrice"].map(Decimal) < 0).sum()
    [(return_documents,)] = build.query(
        "select count(*) from marts.fct_orders where status = 'returned' and order_id like 'C%'"
    )
    assert return_documents == cancellations > 0
    rejects = build.query(
        "select reject_reason, count(*) from marts.rejected_rows where entity = 'order_items' "
        "group by all"
    )
    assert rejects == [("out_of_range:unit_price", broken)]
    assert broken / len(lines) <= 0.01


def test_guest_orders_count_in_revenue_and_baskets_never_in_customer_marts(retail) -> None:
    build, export = retail
    lines = pd.read_csv(export, dtype=str, keep_default_na=False)
    guest = lines[(lines["CustomerID"] == "") & (lines["UnitPrice"].map(Decimal) >= 0)]
    guest_value = sum(
        int(q) * Decimal(p) for q, p in zip(guest["Quantity"], guest["UnitPrice"], strict=True)
    )
    [(orders, baskets, revenue, in_customer_marts, anonymous_rows)] = build.query(
        "select (select count(*) from marts.fct_orders where is_anonymous and line_count > 0), "
        "(select count(distinct order_id) from marts.fct_basket_items where order_id in "
        " (select order_id from marts.fct_orders where is_anonymous)), "
        "(select sum(net_revenue) from marts.fct_orders where is_anonymous), "
        "(select count(*) from marts.customer_360 where customer_id is null), "
        "(select anonymous_rows = (select count(*) from marts.fct_orders where is_anonymous) "
        " from marts.landing_reconciliation where entity = 'orders')"
    )
    assert orders == baskets == guest["InvoiceNo"].nunique() > 50
    assert revenue == guest_value
    assert in_customer_marts == 0
    assert anonymous_rows


def groceries_export(path: Path, seed: int = 5) -> None:
    """A market-basket file as published: member, day-first date, item; no price."""
    rng = random.Random(seed)
    items = [
        "whole milk",
        "rolls/buns",
        "soda",
        "yogurt",
        "tropical fruit",
        "root vegetables",
        "bottled water",
        "sausage",
        "citrus fruit",
        "pastry",
        "other vegetables",
    ]
    rows = ["Member_number,Date,itemDescription"]
    for _ in range(900):
        day = datetime(2014, 1, 1) + timedelta(days=rng.randrange(700))
        rows.append(f"{1000 + rng.randrange(150)},{day:%d-%m-%Y},{rng.choice(items)}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_a_basket_only_file_builds_with_unknown_money(tmp_path: Path) -> None:
    export = tmp_path / "Groceries_dataset.csv"
    groceries_export(export)
    landing = tmp_path / "landing"
    result = run_cli(
        "ingest", str(export), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert result.returncode == 0, result.stderr
    assert "no price or amount column" in result.stdout
    build = run_dbt(Build(landing, tmp_path / "warehouse.duckdb", tmp_path / "target"), "build")
    assert build.returncode == 0, build.output[-5000:]
    lines = pd.read_csv(export, dtype=str)
    baskets = lines.groupby(["Member_number", "Date"]).size()
    frequency = baskets.groupby(level="Member_number").size()
    actual = dict(build.query("select customer_id, frequency from marts.customer_metrics"))
    assert actual == frequency.to_dict()
    [(known_money, scored_m, orders)] = build.query(
        "select (select count(monetary) + count(gross_spend) from marts.customer_metrics), "
        "(select count(m_score) from marts.customer_rfm), "
        "(select count(*) from marts.fct_orders where revenue is null)"
    )
    assert (known_money, scored_m) == (0, 0)  # unknown, never 0
    assert orders == len(baskets)

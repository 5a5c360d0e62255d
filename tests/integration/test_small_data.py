"""A small, short history — 40 customers over 20 days, three products — still builds
green: nothing can be labelled for churn, and the warehouse says so instead of failing.
With no unit cost anywhere, profit is unknown rather than 0; the one month is partial."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pytest

from customer360 import dashboard, publish
from tests.helpers import KPI_NOTE, Build, run_dbt

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("small")
    landing = work / "landing"
    (landing / "orders").mkdir(parents=True)
    (landing / "order_items").mkdir()
    rng = random.Random(3)
    orders, lines = ["order_id,customer_id,ordered_at"], ["order_id,product_id,quantity,unit_price"]
    for number in range(1, 81):
        orders.append(f"O{number},C{rng.randint(1, 40)},2024-03-{rng.randint(1, 20):02d} 10:00:00")
        lines.append(f"O{number},P{rng.randint(1, 3)},1,9.50")
    (landing / "orders" / "orders.csv").write_text("\n".join(orders) + "\n")
    (landing / "order_items" / "order_items.csv").write_text("\n".join(lines) + "\n")
    build = run_dbt(Build(landing, work / "warehouse.duckdb", work / "target"), "build")
    assert build.returncode == 0, build.output[-5000:]
    return build


def test_churn_explains_that_the_history_is_too_short(small_build: Build) -> None:
    [(family, status)] = small_build.query(
        "select model_family, status from ml.churn_model_runs where is_current"
    )
    assert family is None
    assert status.startswith("no model: no snapshot is old enough")
    assert small_build.query("select count(*) from marts.churn_predictions") == [(0,)]


def test_every_buyer_is_still_segmented_and_tiered(small_build: Build) -> None:
    [(buyers, segmented, tiered)] = small_build.query(
        "select (select count(*) from marts.customer_metrics where has_purchased), "
        "(select count(*) from marts.customer_segments), "
        "(select count(*) from marts.customer_tiers)"
    )
    assert buyers == segmented == tiered > 0


def landed_order_days(build: Build) -> list[dt.date]:
    """The order days as landed, read from the CSV (not from the warehouse)."""
    rows = (build.landing / "orders" / "orders.csv").read_text().splitlines()[1:]
    return sorted(dt.date.fromisoformat(row.split(",")[2][:10]) for row in rows)


def test_no_unit_cost_anywhere_means_an_unknown_profit_not_zero(small_build: Build) -> None:
    """No products file and no unit_cost column: every line's cost is unknown, so profit
    is null in every period, with a cost coverage of 0, while revenue (80 lines at 9.50,
    all completed and before the as-of date) is known."""
    rows = small_build.query(
        "select period_grain, revenue, cost, profit, price_coverage_ratio, cost_coverage_ratio "
        "from marts.profit_trend order by period_grain"
    )
    assert rows == [
        ("month", 760, None, None, 1.0, 0.0),
        ("quarter", 760, None, None, 1.0, 0.0),
        ("year", 760, None, None, 1.0, 0.0),
    ]


def test_the_partly_covered_month_is_flagged_and_not_fitted(small_build: Build) -> None:
    """Orders on some days of 1 to 20 March 2024 and the default as-of date (the day after
    the last order): the data covers the first to the last order day, a part of March
    (31 days), of the first quarter (91) and of 2024 (a leap year, 366)."""
    days = landed_order_days(small_build)
    covered = (days[-1] - days[0]).days + 1
    assert covered < 31
    rows = small_build.query(
        "select period_grain, period_start, covered_days, period_days, is_partial_period "
        "from marts.profit_trend order by period_grain"
    )
    march, first_quarter, year = dt.date(2024, 3, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 1)
    assert rows == [
        ("month", march, covered, 31, True),
        ("quarter", first_quarter, covered, 91, True),
        ("year", year, covered, 366, True),
    ]
    forecast = small_build.query(
        "select month_start, is_forecast, revenue, training_months, covered_days, "
        "period_days, is_partial_period from ml.sales_forecast where series = 'All customers'"
    )
    # the only month is partial: shown as it is, not fitted, so nothing is forecast
    assert forecast == [(march, False, 760.0, 0, covered, 31, True)]


def test_the_overview_shows_an_unknown_profit_as_a_dash(small_build: Build, tmp_path: Path) -> None:
    publish.publish(
        small_build.database, tmp_path / "serving", small_build.target / "manifest.json"
    )
    dashboard.render(tmp_path / "serving", tmp_path / "quality", tmp_path / "dashboards")
    html = (tmp_path / "dashboards" / "index.html").read_text(encoding="utf-8")
    [kpis] = re.findall(r"^  kpis: (.*),$", html, re.MULTILINE)
    everyone = next(row for row in json.loads(kpis) if row["filter_key"] == "")
    assert everyone["revenue"] == 760 and everyone["price_coverage_ratio"] == 1
    assert everyone["profit"] is None and everyone["cost_coverage_ratio"] == 0
    cards = dict(re.findall(r'data-kpi="(\w+)".*?<div class="kpi-value">([^<]*)</div>', html, re.S))
    notes = dict(KPI_NOTE.findall(html))
    assert cards["profit"] == "\u2013"
    assert notes["profit"] == "no unit cost known"
    assert cards["revenue"] == "760" and notes["revenue"] == ""

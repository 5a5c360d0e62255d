"""A small, short history — 40 customers over 20 days, three products — still builds
green: nothing can be labelled for churn, and the warehouse says so instead of failing."""

from __future__ import annotations

import random

import pytest

from tests.helpers import Build, run_dbt

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

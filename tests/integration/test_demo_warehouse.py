"""Build the demo warehouse and check key figures against an independent computation.

The independent side reads the landing Parquet files with pandas and computes each
figure from its definition in the docs, without SQL; the warehouse side is what dbt
built. Both must agree for every customer / product.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest

from tests.apriori_reference import mlxtend_counts, rule_counts_by_hand
from tests.helpers import Build

pytestmark = pytest.mark.integration


def landed(landing: Path, entity: str) -> pd.DataFrame:
    return ds.dataset(landing / entity, format="parquet").to_table().to_pandas()


def frame(build: Build, sql: str) -> pd.DataFrame:
    with build.connect() as connection:
        return connection.execute(sql).df()


@pytest.fixture(scope="module")
def purchases(demo_landing: Path) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Purchase lines (completed orders) with revenue, and the default as-of date."""
    orders = landed(demo_landing, "orders")
    items = landed(demo_landing, "order_items")
    as_of = pd.Timestamp(orders["ordered_at"].max()).normalize() + pd.Timedelta(days=1)
    lines = items.merge(orders, on="order_id")
    lines = lines[lines["status"] == "completed"].copy()
    lines["revenue"] = lines["quantity"].astype(float) * lines["unit_price"].astype(float) - lines[
        "discount_amount"
    ].fillna(0).astype(float)
    return lines, as_of


def test_every_landed_row_is_staged_or_accounted_for(demo_build: Build) -> None:
    for entity, landed_rows, staged, duplicates, rejected in demo_build.query(
        "select entity, landed_rows, staged_rows, duplicate_rows, rejected_rows "
        "from marts.landing_reconciliation"
    ):
        assert landed_rows == staged + duplicates + rejected, entity
        rows_in_files = len(landed(demo_build.landing, entity))
        assert landed_rows == rows_in_files, entity
        # the demo generator writes clean data: nothing is rejected or duplicated
        assert (duplicates, rejected) == (0, 0), entity


def test_as_of_date_is_the_day_after_the_last_order(demo_build: Build, purchases) -> None:
    _, as_of = purchases
    [(built,)] = demo_build.query("select as_of_date from intermediate.int_as_of_date")
    assert pd.Timestamp(built) == as_of


def test_customer_metrics_match_an_independent_computation(demo_build: Build, purchases) -> None:
    lines, as_of = purchases
    expected = lines.groupby("customer_id").agg(
        monetary=("revenue", "sum"),
        frequency=("order_id", "nunique"),
        last_purchase=("ordered_at", "max"),
        unique_products=("product_id", "nunique"),
    )
    expected["recency_days"] = (as_of - expected["last_purchase"].dt.normalize()).dt.days
    built = frame(
        demo_build,
        "select customer_id, monetary, frequency, recency_days, unique_products "
        "from marts.customer_metrics where has_purchased",
    ).set_index("customer_id")
    assert set(built.index) == set(expected.index)
    joined = expected.join(built.add_suffix("_built"))
    assert np.allclose(joined["monetary"], joined["monetary_built"].astype(float), atol=0.005)
    assert (joined["frequency"] == joined["frequency_built"]).all()
    assert (joined["recency_days"] == joined["recency_days_built"]).all()
    assert (joined["unique_products"] == joined["unique_products_built"]).all()


def test_purchase_gaps_match_an_independent_computation(demo_build: Build, purchases) -> None:
    lines, _ = purchases
    orders = (
        lines.drop_duplicates("order_id")
        .sort_values(["customer_id", "ordered_at", "order_id"])
        .assign(order_date=lambda df: df["ordered_at"].dt.normalize())
    )
    orders["gap"] = orders.groupby("customer_id")["order_date"].diff().dt.days
    expected = orders.groupby("customer_id")["gap"].agg(["mean", "median", "last"])
    built = frame(
        demo_build,
        "select customer_id, avg_gap_days, median_gap_days, last_gap_days "
        "from marts.customer_metrics where has_purchased",
    ).set_index("customer_id")
    joined = expected.join(built)
    one_order = joined["mean"].isna()
    assert one_order.any(), "the demo data should contain one-order customers"
    assert joined.loc[one_order, "avg_gap_days"].isna().all()
    repeat = joined[~one_order]
    assert np.allclose(repeat["mean"], repeat["avg_gap_days"].astype(float))
    assert np.allclose(repeat["median"], repeat["median_gap_days"].astype(float))
    assert np.allclose(repeat["last"], repeat["last_gap_days"].astype(float))


def test_rfm_scores_follow_the_documented_tie_rule(demo_build: Build) -> None:
    built = frame(
        demo_build,
        "select customer_id, recency_days, frequency, monetary, r_score, f_score, m_score "
        "from marts.customer_rfm",
    )
    n = len(built)

    def score(values: pd.Series) -> pd.Series:
        # larger is better; ties share the lowest rank, so equal values share a score
        rank = values.rank(method="min")
        return (1 + np.floor(5 * (rank - 1) / n)).astype(int)

    assert (score(-built["recency_days"]) == built["r_score"]).all()
    assert (score(built["frequency"]) == built["f_score"]).all()
    assert (score(built["monetary"].astype(float)) == built["m_score"]).all()
    tied_at_one = built[built["frequency"] == 1]
    assert tied_at_one["f_score"].nunique() == 1


def test_dead_stock_matches_an_independent_computation(demo_build: Build, purchases) -> None:
    lines, as_of = purchases
    inventory = landed(demo_build.landing, "inventory")
    received = (
        inventory[pd.to_datetime(inventory["received_on"]) < as_of]
        .groupby("product_id")["quantity_received"]
        .sum()
    )
    sold = lines.groupby("product_id")["quantity"].sum().reindex(received.index, fill_value=0)
    expected_dead = set(received.index[(sold / received) < 0.6])
    built_dead = {
        product_id
        for (product_id,) in demo_build.query(
            "select product_id from marts.product_stock_health where is_dead_stock"
        )
    }
    assert expected_dead, "the demo data should contain dead stock"
    assert built_dead == expected_dead


def test_every_buyer_has_one_segment_tier_and_churn_score(demo_build: Build) -> None:
    [(buyers, segmented, tiered, scored, personas)] = demo_build.query(
        """
        select
            (select count(*) from marts.customer_metrics where has_purchased),
            (select count(distinct customer_id) from marts.customer_segments),
            (select count(distinct customer_id) from marts.customer_tiers),
            (select count(distinct customer_id) from marts.churn_predictions),
            (select count(distinct persona) from marts.customer_segments)
        """
    )
    assert buyers == segmented == tiered == scored
    [(chosen_k,)] = demo_build.query("select k from ml.segment_k_selection where is_chosen")
    assert personas == chosen_k


def test_the_churn_model_is_measured_on_held_out_customers_with_baselines(
    demo_build: Build,
) -> None:
    [(auc, recency_auc, rule_auc, test_rows, train_rows)] = demo_build.query(
        "select auc, recency_baseline_auc, rule_baseline_auc, test_rows, train_rows "
        "from ml.churn_model_runs"
    )
    assert test_rows > 0 and train_rows > test_rows
    assert recency_auc is not None and rule_auc is not None
    assert auc > 0.5
    assert auc >= rule_auc


def test_product_bundles_pair_dead_stock_with_selling_products(demo_build: Build) -> None:
    rows = demo_build.query(
        """
        select bundles.dead_stock_sold_ratio, dead.is_dead_stock, selling.is_dead_stock
        from marts.product_bundles as bundles
        join marts.product_stock_health as dead
            on bundles.dead_stock_product_id = dead.product_id
        join marts.product_stock_health as selling
            on bundles.selling_product_id = selling.product_id
        """
    )
    assert rows, "the demo data plants a dead-stock product in a frequent pair"
    assert all(ratio < 0.6 and dead and not selling for ratio, dead, selling in rows)


def test_auto_support_is_the_largest_with_enough_rules_recomputed_with_mlxtend(
    demo_build: Build, purchases
) -> None:
    lines, as_of = purchases
    bought = lines[lines["ordered_at"] < as_of].groupby("order_id")["product_id"]
    basket_list = [sorted(set(products)) for _, products in bought]
    total = len(basket_list)
    [(mode, baskets, used, count, rules, min_rules, floor, advice)] = demo_build.query(
        "select support_mode, baskets, min_support_used, min_basket_count_used, rules, "
        "min_rules, min_support_baskets, what_to_try from marts.bundle_mining_summary"
    )
    assert (mode, baskets, min_rules, floor) == ("auto", total, 10, 5)
    # the demo finds fewer than 10 rules at 0.1, so auto lowers the support
    at_start = rule_counts_by_hand(
        mlxtend_counts(basket_list, math.ceil(0.1 * total)), total, 0.05, 1.0
    )
    assert len(at_start) < min_rules
    assert floor <= count < math.ceil(0.1 * total) and used == count / total
    # the rule count only falls as the count rises: enough at the count used, too few above
    at_used = rule_counts_by_hand(mlxtend_counts(basket_list, count), total, 0.05, 1.0)
    above = rule_counts_by_hand(mlxtend_counts(basket_list, count + 1), total, 0.05, 1.0)
    assert rules == len(at_used) >= min_rules > len(above)
    assert advice is None
    [(below_itemsets, below_rules)] = demo_build.query(
        "select (select count(*) from ml.frequent_itemsets where support < min_support_used), "
        "(select count(*) from ml.association_rules where support < min_support_used)"
    )
    assert (below_itemsets, below_rules) == (0, 0)


def test_personal_data_stays_out_of_the_schemas_bi_reads(demo_build: Build) -> None:
    exposed = demo_build.query(
        "select table_schema || '.' || table_name || '.' || column_name "
        "from information_schema.columns "
        "where table_schema in ('marts', 'ml') "
        "and column_name in ('email', 'full_name', 'first_name', 'phone', 'birth_date')"
    )
    assert exposed == []
    [(with_name,)] = demo_build.query(
        "select count(*) from exports.crm_contacts where personalised_message like '%{first_name}%'"
    )
    assert with_name == 0

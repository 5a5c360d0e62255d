"""The customer counts suite: each one-row-per-customer mart has each customer once, and
as many customers as the others covering the same group."""

from __future__ import annotations

from customer360.quality.suites.checks import Suite, equal, sql_string

# One-row-per-customer marts, grouped honestly by whom they cover.
ALL_CUSTOMER_MARTS = (
    "marts.dim_customers",
    "marts.customer_metrics",
    "marts.customer_status",
    "marts.customer_behavior",
    "marts.customer_360",
    "marts.retention_offers",
)
BUYER_MARTS = (
    "marts.customer_rfm",
    "marts.customer_churn_labels",
    "marts.customer_segment_features",
    "marts.customer_segments",
    "marts.customer_tiers",
    "marts.customer_repeat_purchases",
    "marts.customer_lifetime_value",
    "ml.clv_scores",
)
# Every buyer is scored once a churn model exists; without labelled history (less than the
# churn horizon of data) there is no model and nobody is scored.
SCORED_MARTS = ("marts.churn_predictions", "ml.churn_scores")
SCORED_CUSTOMERS = (
    "(select case when exists (select 1 from ml.churn_model_runs "
    "where is_current and model_family is not null) "
    "then (select count(*) from marts.customer_rfm) else 0 end)"
)


def counts_suite() -> Suite:
    """Customer counts across the one-row-per-customer marts, by the group they cover."""
    parts = []
    for group, tables, expected in (
        ("all customers", ALL_CUSTOMER_MARTS, "(select count(*) from marts.dim_customers)"),
        ("buying customers", BUYER_MARTS, "(select count(*) from marts.customer_rfm)"),
        ("scored customers", SCORED_MARTS, SCORED_CUSTOMERS),
    ):
        for table in tables:
            parts.append(
                f"select {sql_string(table)} as table_name, {sql_string(group)} as customer_group, "
                f"count(*) as row_count, count(distinct customer_id) as distinct_customers, "
                f"{expected} as expected_customers from {table}"
            )
    parts.append(
        "select 'marts.customer_360 (has_purchased)', 'buying customers', count(*), "
        "count(distinct customer_id), (select count(*) from marts.customer_rfm) "
        "from marts.customer_360 where has_purchased"
    )
    sql = "\nunion all\n".join(parts) + "\norder by customer_group, table_name"
    return Suite(
        "counts",
        "customer_marts",
        "serving",
        sql,
        (
            equal(
                "one_row_per_customer",
                "row_count",
                "distinct_customers",
                notes="every one-row-per-customer mart has each customer once",
            ),
            equal(
                "customer_count_equal_within_group",
                "row_count",
                "expected_customers",
                notes="all-customer marts (dim_customers, customer_metrics, customer_status, "
                "customer_behavior, customer_360, retention_offers) match dim_customers; buyer "
                "marts (customer_rfm, customer_churn_labels, customer_segment_features, "
                "customer_segments, customer_tiers, "
                "customer_repeat_purchases, customer_lifetime_value, ml.clv_scores, "
                "customer_360 where has_purchased) match customer_rfm; churn_predictions and "
                "ml.churn_scores match customer_rfm once a churn model exists, else are empty. "
                "customer_email_engagement covers only e-mailed customers and is left out.",
            ),
        ),
        key="table_name",
    )

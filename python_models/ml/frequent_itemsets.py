"""Frequent itemsets of the baskets (completed orders before the as-of date), found by
level-wise Apriori in this model's DuckDB session."""

from customer360.ml import bundles


def model(dbt, session):
    meta = dbt.config.get("meta")
    baskets = dbt.ref("int_basket_items").select("order_id as basket_id, product_id as item")
    baskets.create_view("frequent_itemsets_baskets", replace=True)
    return bundles.frequent_itemsets(
        session,
        "frequent_itemsets_baskets",
        min_support=float(meta["min_support"]),
        max_length=int(meta["max_itemset_length"]),
    )

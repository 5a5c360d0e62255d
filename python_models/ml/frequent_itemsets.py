"""Frequent itemsets of the baskets (completed orders before the as-of date), found by
level-wise Apriori in this model's DuckDB session at the support
`bundle_support_selection` chose."""

from customer360.ml import bundles


def model(dbt, session):
    meta = dbt.config.get("meta")
    [(min_support,)] = dbt.ref("bundle_support_selection").select("min_support_used").fetchall()
    baskets = dbt.ref("int_basket_items").select("order_id as basket_id, product_id as item")
    baskets.create_view("frequent_itemsets_baskets", replace=True)
    itemsets = bundles.frequent_itemsets(
        session,
        "frequent_itemsets_baskets",
        min_support=min_support,
        max_length=int(meta["max_itemset_length"]),
    )
    return bundles.with_support_used(itemsets, min_support)

"""Association rules with support, confidence, lift, leverage and conviction, from the
frequent itemsets (mlxtend computes the metrics)."""

from customer360.ml import bundles


def model(dbt, session):
    meta = dbt.config.get("meta")
    [(basket_total, min_support)] = (
        dbt.ref("bundle_support_selection").select("baskets, min_support_used").fetchall()
    )
    itemsets = dbt.ref("frequent_itemsets").select("itemset, length, basket_count, support")
    rules = bundles.rules(
        itemsets.arrow().read_all(),
        basket_total=basket_total,
        min_confidence=float(meta["min_confidence"]),
        min_lift=float(meta["min_lift"]),
    )
    return bundles.with_support_used(rules, min_support)

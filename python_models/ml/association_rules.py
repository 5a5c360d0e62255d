"""Association rules with support, confidence, lift, leverage and conviction, from the
frequent itemsets (mlxtend computes the metrics)."""

from customer360.ml import bundles


def model(dbt, session):
    meta = dbt.config.get("meta")
    [(basket_total,)] = dbt.ref("int_basket_items").aggregate("count(distinct order_id)").fetchall()
    itemsets = dbt.ref("frequent_itemsets").arrow().read_all()
    return bundles.rules(
        itemsets,
        basket_total=basket_total,
        min_confidence=float(meta["min_confidence"]),
        min_lift=float(meta["min_lift"]),
    )

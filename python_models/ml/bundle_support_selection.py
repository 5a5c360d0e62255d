"""The support Apriori mines the baskets at: the fixed var, or the largest support that
yields `bundle_min_rules` rules, never below `bundle_min_support_baskets` baskets (auto)."""

from customer360.ml import bundle_support


def model(dbt, session):
    settings = bundle_support.BundleSettings.from_meta(dbt.config.get("meta"))
    baskets = dbt.ref("fct_basket_items").select("order_id as basket_id, product_id as item")
    baskets.create_view("bundle_support_baskets", replace=True)
    choice = bundle_support.choose_support(session, "bundle_support_baskets", settings)
    return bundle_support.selection_table(choice, settings)

-- The basket mining run: baskets, products, itemsets, rules, the support used and how it
-- was chosen, the other thresholds, and what to try when little was found.
select
    support_mode,
    baskets,
    distinct_products,
    max_product_support,
    frequent_itemsets,
    rules,
    dead_stock_bundles,
    min_support_used,
    min_basket_count_used,
    auto_start_support,
    min_rules,
    min_support_baskets,
    min_confidence,
    min_lift,
    max_itemset_length,
    what_to_try
from marts.bundle_mining_summary

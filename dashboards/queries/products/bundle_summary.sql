-- The basket mining run: baskets, products, itemsets, rules and thresholds.
select
    baskets,
    distinct_products,
    max_product_support,
    frequent_itemsets,
    rules,
    dead_stock_bundles,
    min_support,
    min_confidence,
    min_lift,
    max_itemset_length
from marts.bundle_mining_summary

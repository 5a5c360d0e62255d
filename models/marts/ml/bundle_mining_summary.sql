-- One row per build: what the Apriori run found, the support it used and how that support
-- was chosen, and the highest single-product support seen, so a user knows what to lower
-- when nothing is found.

with

basket_items as (
    select * from {{ ref('fct_basket_items') }}
),

support_selection as (
    select * from {{ ref('bundle_support_selection') }}
),

itemsets as (
    select * from {{ ref('frequent_itemsets') }}
),

rules as (
    select * from {{ ref('association_rules') }}
),

bundles as (
    select * from {{ ref('product_bundles') }}
),

basket_total as (
    select count(distinct order_id) as baskets
    from basket_items
),

item_support as (
    select
        basket_items.product_id,
        count(*) / any_value(basket_total.baskets) as product_support
    from basket_items
    cross join basket_total
    group by basket_items.product_id
),

found as (
    select
        (select baskets from basket_total) as baskets,
        (select count(*) from item_support) as distinct_products,
        (select max(product_support) from item_support) as max_product_support,
        (select count(*) from itemsets) as frequent_itemsets,
        (select count(*) from rules) as rules,
        (select count(*) from bundles) as dead_stock_bundles
),

final as (
    select
        support_selection.support_mode,
        found.baskets,
        found.distinct_products,
        found.max_product_support,
        found.frequent_itemsets,
        found.rules,
        found.dead_stock_bundles,
        support_selection.min_support_used,
        support_selection.min_basket_count_used,
        support_selection.auto_start_support,
        support_selection.min_rules,
        support_selection.min_support_baskets,
        support_selection.floor_min_support,
        support_selection.apriori_runs,
        {{ var('bundle_min_confidence') }} as min_confidence,
        {{ var('bundle_min_lift') }} as min_lift,
        {{ var('bundle_max_itemset_length') }} as max_itemset_length,
        support_selection.what_to_try
    from found
    cross join support_selection
)

select * from final

-- One row per build: what the Apriori run found with the thresholds it used, and the
-- highest single-product support seen, so a user knows what to lower when nothing is found.

with

basket_items as (
    select * from {{ ref('int_basket_items') }}
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

final as (
    select
        (select baskets from basket_total) as baskets,
        (select count(*) from item_support) as distinct_products,
        (select max(product_support) from item_support) as max_product_support,
        (select count(*) from itemsets) as frequent_itemsets,
        (select count(*) from rules) as rules,
        (select count(*) from bundles) as dead_stock_bundles,
        {{ var('bundle_min_support') }} as min_support,
        {{ var('bundle_min_confidence') }} as min_confidence,
        {{ var('bundle_min_lift') }} as min_lift,
        {{ var('bundle_max_itemset_length') }} as max_itemset_length
)

select * from final

-- Every set of products bought together in at least the support bundle_support_selection
-- chose: the itemsets its Apriori search found at that support, one row each (the search
-- keeps them, so the baskets are not mined a second time). In schema ml beside the other
-- Apriori tables.

{{ config(schema='ml') }}

with

support_selection as (
    select * from {{ ref('bundle_support_selection') }}
),

found as (
    select
        support_selection.min_support_used,
        unnest(support_selection.frequent_itemsets) as found_itemset
    from support_selection
),

final as (
    select
        -- a struct's field keeps its name: itemset, length, basket_count, support
        found.found_itemset.itemset,
        found.found_itemset.length,  -- noqa: RF04
        found.found_itemset.basket_count,
        found.found_itemset.support,
        found.min_support_used
    from found
)

select * from final
order by length, itemset

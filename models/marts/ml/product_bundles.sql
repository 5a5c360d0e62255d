-- Bundles that move dead stock (Apriori market-basket analysis): rules in which buying a
-- selling product predicts buying a dead-stock product, with how many units an offer could move.

with

rules as (
    select * from {{ ref('association_rules') }}
),

stock_health as (
    select * from {{ ref('product_stock_health') }}
),

basket_items as (
    select * from {{ ref('fct_basket_items') }}
),

baskets as (
    select count(distinct order_id) as basket_total
    from basket_items
),

pairs as (
    select
        rules.antecedents[1] as selling_product_id,
        rules.consequents[1] as dead_stock_product_id,
        rules.support,
        rules.confidence,
        rules.lift,
        rules.antecedent_support
    from rules
    where len(rules.antecedents) = 1 and len(rules.consequents) = 1
),

final as (
    select
        pairs.dead_stock_product_id,
        pairs.selling_product_id,
        dead.product_name as dead_stock_product_name,
        selling.product_name as selling_product_name,
        pairs.support,
        pairs.confidence,
        pairs.lift,
        dead.sold_ratio as dead_stock_sold_ratio,
        dead.unsold_units as dead_stock_unsold_units,
        -- baskets with the selling product but without the dead-stock one: each is a
        -- chance to add one unit, up to the units left in stock
        cast(least(
            dead.unsold_units,
            round((pairs.antecedent_support - pairs.support) * baskets.basket_total)
        ) as bigint) as units_bundle_could_move
    from pairs
    cross join baskets
    inner join stock_health as dead
        on pairs.dead_stock_product_id = dead.product_id and dead.is_dead_stock
    inner join stock_health as selling
        on pairs.selling_product_id = selling.product_id and not selling.is_dead_stock
)

select * from final

-- The baskets every bundle model mines: one row per product in a purchase (a completed
-- order) before the as-of date, however many lines the order has for it. Non-product
-- lines (postage, fees, ...) are no items: an order of postage alone is no basket. An
-- incremental run merges the orders placed in the look-back window (docs:
-- incremental_lookback).

with

order_lines as (
    select * from {{ ref('fct_order_lines') }}
    {{- lookback_filter('ordered_at') }}
),

final as (
    select distinct
        order_id,
        product_id,
        ordered_at
    from order_lines
    where is_purchase and is_product_line and ordered_at < {{ as_of_date() }}
)

select * from final

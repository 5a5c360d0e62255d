-- The baskets every bundle model mines: one row per product in a purchase (a completed
-- order) before the as-of date, however many lines the order has for it. Non-product
-- lines (postage, fees, ...) are no items: an order of postage alone is no basket.

with

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

final as (
    select distinct
        order_id,
        product_id
    from order_lines
    where is_purchase and is_product_line and ordered_at < {{ as_of_date() }}
)

select * from final

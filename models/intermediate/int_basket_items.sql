-- The baskets every bundle model mines: one row per product in a purchase (a completed
-- order) before the as-of date, however many lines the order has for it.

with

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

final as (
    select distinct
        order_id,
        product_id
    from order_lines
    where is_purchase and ordered_at < {{ as_of_date() }}
)

select * from final

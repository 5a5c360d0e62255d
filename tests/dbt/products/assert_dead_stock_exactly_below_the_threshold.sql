-- is_dead_stock is true exactly where the sold ratio is below var('dead_stock_ratio').

with

stock_health as (
    select * from {{ ref('product_stock_health') }}
),

final as (
    select
        product_id,
        sold_ratio,
        is_dead_stock
    from stock_health
    where is_dead_stock != coalesce(sold_ratio < {{ var('dead_stock_ratio') }}, false)
)

select * from final

with

validated as (
    select * from {{ ref('base_order_items') }}
),

final as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        unit_cost
    from validated
    where row_outcome = 'staged'
)

select * from final

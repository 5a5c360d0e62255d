with

validated as (
    select * from {{ ref('base_order_items') }}
),

final as (
    select
        order_id,
        line_number,
        product_id,
        -- a negative quantity in the user's file is a returned line (docs: return_line)
        abs(quantity) as quantity,
        unit_price,
        discount_amount,
        unit_cost,
        quantity < 0 as is_return_line
    from validated
    where row_outcome = 'staged'
)

select * from final

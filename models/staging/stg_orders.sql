with

validated as (
    select * from {{ ref('base_orders') }}
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        channel,
        store_id,
        status
    from validated
    where row_outcome = 'staged'
)

select * from final

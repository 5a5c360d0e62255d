with

validated as (
    select * from {{ ref('base_inventory') }}
),

final as (
    select
        product_id,
        received_on,
        quantity_received
    from validated
    where row_outcome = 'staged'
)

select * from final

with

validated as (
    select * from {{ ref('base_products') }}
),

final as (
    select
        product_id,
        product_name,
        category,
        list_price,
        unit_cost
    from validated
    where row_outcome = 'staged'
)

select * from final

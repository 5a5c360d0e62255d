with

validated as (
    select * from {{ ref('base_campaign_contacts') }}
),

final as (
    select
        campaign_id,
        customer_id,
        contacted_at,
        cost,
        is_control
    from validated
    where row_outcome = 'staged'
)

select * from final

with

validated as (
    select * from {{ ref('base_email_events') }}
),

final as (
    select
        customer_id,
        event_at,
        event_type,
        campaign_id
    from validated
    where row_outcome = 'staged'
)

select * from final

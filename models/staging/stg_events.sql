with

validated as (
    select * from {{ ref('base_events') }}
),

final as (
    select
        customer_id,
        event_at,
        event_type,
        amount
    from validated
    where row_outcome = 'staged'
)

select * from final

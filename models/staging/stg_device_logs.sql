with

validated as (
    select * from {{ ref('base_device_logs') }}
),

final as (
    select
        logged_at,
        customer_id,
        session_id,
        device_type,
        screen_width,
        screen_height,
        device_memory_gb,
        user_agent
    from validated
    where row_outcome = 'staged'
)

select * from final

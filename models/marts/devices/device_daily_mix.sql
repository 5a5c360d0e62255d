-- Daily device mix: sessions and page views by device type, screen and memory class.

with

sessions as (
    select * from {{ ref('fct_device_sessions') }}
),

final as (
    select
        session_date,
        device_type,
        screen_class,
        memory_class,
        count(*) as sessions,
        sum(page_views) as page_views,
        count(*) filter (where is_identified) as identified_sessions,
        count(*) filter (where is_identified) / count(*) as identified_share_ratio
    from sessions
    group by session_date, device_type, screen_class, memory_class
)

select * from final

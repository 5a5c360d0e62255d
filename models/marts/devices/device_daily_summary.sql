-- One row per day: sessions, visitors, identified share and the device-type shares.

with

sessions as (
    select * from {{ ref('fct_device_sessions') }}
),

final as (
    select
        session_date,
        count(*) as sessions,
        -- each identified customer once, each anonymous session as its own visitor
        count(distinct customer_id) + count(*) filter (where not is_identified) as visitors,
        count(*) filter (where is_identified) / count(*) as identified_share_ratio,
        count(*) filter (where device_type = 'phone') / count(*) as phone_share_ratio,
        count(*) filter (where device_type = 'tablet') / count(*) as tablet_share_ratio,
        count(*) filter (where device_type = 'desktop') / count(*) as desktop_share_ratio,
        count(*) filter (where device_type = 'other') / count(*) as other_share_ratio
    from sessions
    group by session_date
)

select * from final

-- One row per browser session: its device, visitor and length.

with

device_logs as (
    select * from {{ ref('fct_device_logs') }}
),

-- an incremental run recomputes every session with a page view in the look-back window
-- (docs: incremental_lookback) from all its page views, also those before the window
-- start, so a session crossing it gets the figures of a full build
session_logs as (
    select * from device_logs
    {%- if is_incremental() %}
    where session_id in (
        select window_logs.session_id
        from device_logs as window_logs
        {{- lookback_filter('logged_at') }}
    )
    {%- endif %}
),

sessions as (
    select
        session_id,
        -- the first identified customer of the session (a visitor who logs in mid-session
        -- is identified from then on)
        arg_min(customer_id, logged_at) filter (where customer_id is not null) as customer_id,
        arg_min(device_type, logged_at) as device_type,
        arg_min(screen_class, logged_at) as screen_class,
        arg_min(memory_class, logged_at) as memory_class,
        count(*) as page_views,
        min(logged_at) as first_logged_at,
        max(logged_at) as last_logged_at
    from session_logs
    group by session_id
),

final as (
    select
        session_id,
        customer_id,
        device_type,
        screen_class,
        memory_class,
        page_views,
        date_diff('second', first_logged_at, last_logged_at) as session_seconds,
        customer_id is not null as is_identified,
        cast(first_logged_at as date) as session_date,
        first_logged_at,
        last_logged_at
    from sessions
)

select * from final

-- Cleaned device logs: one row per logged page view before the as-of date.

with

device_logs as (
    -- an incremental run reads only the look-back window (docs: incremental_lookback)
    select * from {{ ref('stg_device_logs') }}
    {{- lookback_filter('logged_at') }}
),

screen_classes as (
    select * from {{ ref('screen_classes') }}
),

memory_classes as (
    select * from {{ ref('memory_classes') }}
),

final as (
    select
        device_logs.session_id,
        device_logs.customer_id,
        device_logs.device_type,
        coalesce(screen_classes.screen_class, 'unknown') as screen_class,
        coalesce(memory_classes.memory_class, 'unknown') as memory_class,
        case
            when
                device_logs.screen_width is null or device_logs.screen_height is null
                then 'unknown'
            when device_logs.screen_width > device_logs.screen_height then 'landscape'
            when device_logs.screen_width < device_logs.screen_height then 'portrait'
            else 'square'
        end as orientation,
        device_logs.screen_width,
        device_logs.screen_height,
        device_logs.device_memory_gb,
        device_logs.customer_id is not null as is_identified,
        cast(device_logs.logged_at as date) as log_date,
        device_logs.logged_at
    from device_logs
    left join screen_classes
        on
            device_logs.screen_width
            between screen_classes.min_width_px and screen_classes.max_width_px
    left join memory_classes
        on
            device_logs.device_memory_gb >= memory_classes.min_gb
            and device_logs.device_memory_gb < memory_classes.max_gb
    where device_logs.logged_at < {{ as_of_date() }}
)

select * from final

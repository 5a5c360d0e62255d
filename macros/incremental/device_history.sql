{#
    The inputs of the incremental device facts, as the look-back guard compares them with
    the rows already built (config `lookback_history`, macro `lookback_history_matches`):
    every column here is copied unchanged into the model, under the same name and type.
#}

{% macro fct_device_logs_history() %}
    select
        session_id,
        customer_id,
        device_type,
        screen_width,
        screen_height,
        device_memory_gb,
        logged_at
    from {{ ref('stg_device_logs') }}
    where logged_at < {{ as_of_date() }}
{% endmacro %}


{#- A session's page views and first and last page view, from the built logs: a log
    landed before the window, or a moved as-of date, changes them. -#}
{% macro fct_device_sessions_history() %}
    select
        session_id,
        count(*) as page_views,
        min(logged_at) as first_logged_at,
        max(logged_at) as last_logged_at
    from {{ ref('fct_device_logs') }}
    group by session_id
{% endmacro %}

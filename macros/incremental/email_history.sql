{#
    The inputs of the incremental e-mail engagement, as the guard of strategy
    `lookback_recompute` hashes them (config `lookback_history`).
#}
{#- The e-mail events `int_email_events_by_customer` counts. -#}
{% macro int_email_events_by_customer_history() %}
    select
        customer_id,
        event_at,
        event_type
    from {{ ref('stg_email_events') }}
    where event_at < {{ as_of_date() }}
{% endmacro %}

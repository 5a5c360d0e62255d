-- The e-mail events of each customer with any before the as-of date, counted, as
-- customer_email_engagement shows them. Empty when no e-mail events were landed (the
-- landing view of a missing entity is empty). An incremental run recomputes only the
-- customers with an e-mail event in the look-back window (strategy lookback_recompute,
-- docs: incremental_lookback).
{%- set window_start = lookback_recompute_start() %}

with

email_events as (
    select * from {{ ref('stg_email_events') }}
    {{- lookback_keys_filter(window_start) }}
),

fingerprints as (
    {{ lookback_key_fingerprints(window_start, 'customer_id') }}
),

before_as_of as (
    select *
    from email_events
    where event_at < {{ as_of_date() }}
),

counted as (
    select
        customer_id,
        count(*) filter (where event_type = 'sent') as sends,
        count(*) filter (where event_type = 'open') as opens,
        count(*) filter (where event_type = 'click') as clicks,
        count(*) filter (where event_type = 'unsubscribe') as unsubscribes,
        count(*) filter (where event_type = 'bounce') as bounces,
        max(event_at) filter (where event_type = 'sent') as last_sent_at,
        max(event_at) filter (where event_type = 'open') as last_open_at,
        max(event_at) filter (where event_type = 'click') as last_click_at,
        max(event_at) as last_event_at
    from before_as_of
    group by customer_id
),

final as (
    select
        counted.customer_id,
        counted.sends,
        counted.opens,
        counted.clicks,
        counted.unsubscribes,
        counted.bounces,
        counted.opens / nullif(counted.sends, 0) as open_rate_ratio,
        counted.clicks / nullif(counted.sends, 0) as click_rate_ratio,
        counted.last_sent_at,
        counted.last_open_at,
        counted.last_click_at,
        counted.last_event_at,
        fingerprints.input_fingerprint
    from counted
    left join fingerprints on counted.customer_id = fingerprints.customer_id
)

select * from final

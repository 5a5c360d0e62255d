-- E-mail engagement per customer with any e-mail event before the as-of date. Empty
-- when no e-mail events were landed (the landing view of a missing entity is empty).

with

email_events as (
    select * from {{ ref('stg_email_events') }}
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
        max(event_at) filter (where event_type = 'click') as last_click_at
    from before_as_of
    group by customer_id
),

final as (
    select
        customer_id,
        sends,
        opens,
        clicks,
        unsubscribes,
        bounces,
        opens / nullif(sends, 0) as open_rate_ratio,
        clicks / nullif(sends, 0) as click_rate_ratio,
        last_sent_at,
        last_open_at,
        last_click_at
    from counted
)

select * from final

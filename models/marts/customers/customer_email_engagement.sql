-- E-mail engagement per customer with any e-mail event before the as-of date
-- (int_email_events_by_customer, incremental, without its fingerprint).

with

engagement as (
    select * from {{ ref('int_email_events_by_customer') }}
),

final as (
    select
        customer_id,
        sends,
        opens,
        clicks,
        unsubscribes,
        bounces,
        open_rate_ratio,
        click_rate_ratio,
        last_sent_at,
        last_open_at,
        last_click_at,
        last_event_at
    from engagement
)

select * from final

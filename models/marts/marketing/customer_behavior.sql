-- Behaviour analysis: per customer an activity trend (the last
-- `behavior_window_days` against the same span before), risk signals with readable text,
-- and a behaviour score 0–100 (100 minus the weights of the signals that fire).

{%- set window = var('behavior_window_days') %}
{%- set change = var('behavior_change_ratio') %}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

email_engagement as (
    select * from {{ ref('customer_email_engagement') }}
),

events as (
    select * from {{ ref('stg_events') }}
),

signals as (
    select * from {{ ref('risk_signals') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

order_activity as (
    select
        orders.customer_id,
        count(*) filter (
            where orders.is_purchase and orders.ordered_at >= as_of.as_of_date - {{ window }}
        ) as recent_purchases,
        count(*) filter (
            where
            orders.is_purchase
            and orders.ordered_at >= as_of.as_of_date - {{ 2 * window }}
            and orders.ordered_at < as_of.as_of_date - {{ window }}
        ) as prior_purchases,
        coalesce(sum(orders.revenue) filter (
            where orders.is_purchase and orders.ordered_at >= as_of.as_of_date - {{ window }}
        ), 0) as recent_spend,
        coalesce(sum(orders.revenue) filter (
            where
            orders.is_purchase
            and orders.ordered_at >= as_of.as_of_date - {{ 2 * window }}
            and orders.ordered_at < as_of.as_of_date - {{ window }}
        ), 0) as prior_spend,
        count(*) filter (where orders.status = 'returned') / count(*) as return_rate_ratio
    from orders
    cross join as_of
    where orders.ordered_at < as_of.as_of_date
    group by orders.customer_id
),

discounts as (
    select
        customer_id,
        count(*) filter (where is_discounted) / count(*) as discounted_line_ratio
    from order_lines
    where is_purchase and ordered_at < {{ as_of_date() }}
    group by customer_id
),

event_activity as (
    -- industry streams: counts and amounts per event type in the two windows
    select
        events.customer_id,
        {%- for event_type in ['data_usage', 'login', 'transaction'] %}
        coalesce(sum(coalesce(events.amount, 1)) filter (
            where events.event_type = '{{ event_type }}'
            and events.event_at >= as_of.as_of_date - {{ window }}
        ), 0) as recent_{{ event_type }},
        coalesce(sum(coalesce(events.amount, 1)) filter (
            where events.event_type = '{{ event_type }}'
            and events.event_at >= as_of.as_of_date - {{ 2 * window }}
            and events.event_at < as_of.as_of_date - {{ window }}
        ), 0) as prior_{{ event_type }},
        {%- endfor %}
        count(*) filter (
            where events.event_type = 'billing_complaint'
            and events.event_at >= as_of.as_of_date - {{ window }}
        ) as recent_billing_complaints,
        count(*) filter (
            where events.event_type = 'payment_delay'
            and events.event_at >= as_of.as_of_date - {{ window }}
        ) as recent_payment_delays,
        count(*) filter (
            where events.event_type = 'support_contact'
            and events.event_at >= as_of.as_of_date - {{ window }}
        ) as recent_support_contacts
    from events
    cross join as_of
    where events.event_at < as_of.as_of_date
    group by events.customer_id
),

measured as (
    select
        customers.customer_id,
        coalesce(order_activity.recent_purchases, 0) as recent_purchases,
        coalesce(order_activity.prior_purchases, 0) as prior_purchases,
        coalesce(order_activity.recent_spend, 0) as recent_spend,
        coalesce(order_activity.prior_spend, 0) as prior_spend,
        (coalesce(order_activity.recent_purchases, 0) - order_activity.prior_purchases)
        / nullif(order_activity.prior_purchases, 0) as purchase_change_ratio,
        (coalesce(order_activity.recent_spend, 0) - order_activity.prior_spend)
        / nullif(order_activity.prior_spend, 0) as spend_change_ratio,
        order_activity.return_rate_ratio,
        discounts.discounted_line_ratio,
        email_engagement.last_sent_at,
        email_engagement.last_open_at,
        {%- for event_type in ['data_usage', 'login', 'transaction'] %}
        event_activity.recent_{{ event_type }},
        event_activity.prior_{{ event_type }},
        {%- endfor %}
        event_activity.recent_billing_complaints,
        event_activity.recent_payment_delays,
        event_activity.recent_support_contacts
    from customers
    left join order_activity on customers.customer_id = order_activity.customer_id
    left join discounts on customers.customer_id = discounts.customer_id
    left join email_engagement on customers.customer_id = email_engagement.customer_id
    left join event_activity on customers.customer_id = event_activity.customer_id
),

flagged as (
    select
        *,
        coalesce(purchase_change_ratio < -{{ change }}, false) as is_frequency_drop,
        coalesce(spend_change_ratio < -{{ change }}, false) as is_spend_drop,
        coalesce(discounted_line_ratio >= {{ var('discount_dependency_ratio') }}, false)
            as is_discount_dependency,
        coalesce(return_rate_ratio >= {{ var('high_return_rate_ratio') }}, false)
            as is_high_return_rate,
        -- e-mailed within the period, but no open in it
        coalesce(last_sent_at >= {{ as_of_date() }} - {{ var('no_email_open_days') }}, false)
        and coalesce(
            last_open_at < {{ as_of_date() }} - {{ var('no_email_open_days') }}, true
        ) as is_no_email_opens,
        coalesce(recent_data_usage < prior_data_usage * (1 - {{ change }}), false)
            as is_data_usage_decline,
        coalesce(recent_billing_complaints > 0, false) as is_billing_complaint,
        coalesce(recent_payment_delays > 0, false) as is_payment_delay,
        coalesce(recent_login < prior_login * (1 - {{ change }}), false) as is_login_decline,
        coalesce(recent_transaction < prior_transaction * (1 - {{ change }}), false)
            as is_transaction_volume_decline,
        coalesce(recent_support_contacts >= 2, false) as is_support_contacts
    from measured
),

fired as (
    select
        flagged.customer_id,
        signals.signal_code,
        signals.description,
        signals.weight
    from flagged
    inner join signals
        on
            (signals.signal_code = 'frequency_drop' and flagged.is_frequency_drop)
            or (signals.signal_code = 'spend_drop' and flagged.is_spend_drop)
            or (signals.signal_code = 'discount_dependency' and flagged.is_discount_dependency)
            or (signals.signal_code = 'high_return_rate' and flagged.is_high_return_rate)
            or (signals.signal_code = 'no_email_opens' and flagged.is_no_email_opens)
            or (signals.signal_code = 'data_usage_decline' and flagged.is_data_usage_decline)
            or (signals.signal_code = 'billing_complaint' and flagged.is_billing_complaint)
            or (signals.signal_code = 'payment_delay' and flagged.is_payment_delay)
            or (signals.signal_code = 'login_decline' and flagged.is_login_decline)
            or (
                signals.signal_code = 'transaction_volume_decline'
                and flagged.is_transaction_volume_decline
            )
            or (signals.signal_code = 'support_contacts' and flagged.is_support_contacts)
),

summarised as (
    select
        customer_id,
        list(signal_code order by signal_code) as risk_signal_codes,
        string_agg(description, '; ' order by signal_code) as risk_signals,
        sum(weight) as signal_weight
    from fired
    group by customer_id
),

final as (
    select
        flagged.customer_id,
        case
            when
                flagged.purchase_change_ratio > {{ change }}
                or flagged.spend_change_ratio > {{ change }}
                or (flagged.prior_purchases = 0 and flagged.recent_purchases > 0)
                then 'increasing'
            when flagged.is_frequency_drop or flagged.is_spend_drop then 'declining'
            else 'stable'
        end as activity_trend,
        coalesce(summarised.risk_signal_codes, []) as risk_signal_codes,
        coalesce(summarised.risk_signals, '') as risk_signals,
        cast(greatest(0, 100 - coalesce(summarised.signal_weight, 0)) as integer)
            as behavior_score,
        flagged.recent_purchases,
        flagged.prior_purchases,
        cast(flagged.recent_spend as decimal(18, 4)) as recent_spend,
        cast(flagged.prior_spend as decimal(18, 4)) as prior_spend,
        flagged.purchase_change_ratio,
        flagged.spend_change_ratio,
        flagged.return_rate_ratio,
        flagged.discounted_line_ratio
    from flagged
    left join summarised on flagged.customer_id = summarised.customer_id
)

select * from final

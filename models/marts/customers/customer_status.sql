-- Customer status by the customer status rules, with its personalised message, per customer.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

messages as (
    select * from {{ ref('customer_status_messages') }}
),

high_spend as (
    select
        cast(quantile_cont(monetary, {{ var("high_spend_quantile") }}) as decimal(18, 4))
            as high_spend_threshold
    from metrics
    where has_purchased
),

classified as (
    select
        metrics.customer_id,
        metrics.frequency,
        metrics.monetary,
        metrics.recency_days,
        metrics.active_days,
        metrics.email_opens,
        metrics.has_purchased,
        high_spend.high_spend_threshold,
        case
            when
                not metrics.has_purchased
                or metrics.active_days <= {{ var('new_customer_days') }}
                then 'New Customer'
            when
                metrics.email_opens < {{ var('low_engagement_max_opens') }}
                and metrics.frequency < {{ var('low_engagement_max_frequency') }}
                then 'Low Engagement'
            when
                metrics.recency_days > {{ var('churn_risk_inactive_days') }}
                and metrics.monetary >= high_spend.high_spend_threshold
                then 'Churn Risk'
            else 'Healthy'
        end as customer_status
    from metrics
    cross join high_spend
),

explained as (
    -- the condition that fired, with the customer's figures and the thresholds
    select
        *,
        case customer_status
            when 'New Customer'
                then
                    case
                        when not has_purchased then 'no purchase yet'
                        else
                            'first purchase ' || active_days || ' days ago (at most '
                            || {{ var('new_customer_days') }} || ')'
                    end
            when 'Low Engagement'
                then
                    email_opens || ' e-mail opens (fewer than '
                    || {{ var('low_engagement_max_opens') }} || ') and '
                    || frequency || ' purchases (fewer than '
                    || {{ var('low_engagement_max_frequency') }} || ')'
            when 'Churn Risk'
                then
                    recency_days || ' days since the last purchase (more than '
                    || {{ var('churn_risk_inactive_days') }} || ') and spend '
                    || round(monetary, 2) || ' at or above the high-spend threshold '
                    || round(high_spend_threshold, 2)
            else
                'no rule fired: ' || frequency || ' purchases, the last '
                || recency_days || ' days ago, spend '
                || coalesce(cast(round(monetary, 2) as varchar), 'unknown (no prices)')
                || coalesce(', ' || email_opens || ' e-mail opens', ', e-mail opens unknown')
        end as status_reason
    from classified
),

final as (
    select
        explained.customer_id,
        explained.customer_status,
        explained.status_reason,
        replace(
            replace(
                replace(
                    messages.message_template,
                    '{days_since_last_purchase}',
                    coalesce(cast(explained.recency_days as varchar), '')
                ),
                '{frequency}', cast(explained.frequency as varchar)
            ),
            '{opens}', coalesce(cast(explained.email_opens as varchar), '')
        ) as personalised_message,
        explained.frequency,
        explained.monetary,
        explained.recency_days,
        explained.email_opens,
        explained.high_spend_threshold
    from explained
    left join messages on explained.customer_status = messages.customer_status
)

select * from final

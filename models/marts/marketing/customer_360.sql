-- The one row per customer that BI reads: identity without personal data, metrics, RFM
-- segment, persona, tier, churn, customer lifetime value, status, behaviour and the composite
-- segment score.

with

customers as (
    select * from {{ ref('dim_customers') }}
),

metrics as (
    select * from {{ ref('customer_metrics') }}
),

rfm as (
    select * from {{ ref('customer_rfm') }}
),

tiers as (
    select * from {{ ref('customer_tiers') }}
),

churn as (
    select * from {{ ref('churn_predictions') }}
),

statuses as (
    select * from {{ ref('customer_status') }}
),

behavior as (
    select * from {{ ref('customer_behavior') }}
),

lifetime_value as (
    select * from {{ ref('customer_lifetime_value') }}
),

combined as (
    select
        customers.customer_id,
        customers.city,
        customers.country,
        rfm.rfm_segment,
        tiers.persona,
        tiers.tier,
        churn.risk_band,
        statuses.customer_status,
        behavior.activity_trend,
        behavior.risk_signals,
        metrics.frequency,
        metrics.monetary,
        metrics.recency_days,
        metrics.active_days,
        metrics.avg_gap_days,
        metrics.avg_order_value,
        metrics.email_opens,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        churn.churn_probability,
        churn.churn_score,
        behavior.behavior_score,
        lifetime_value.p_alive,
        lifetime_value.expected_purchases_horizon,
        lifetime_value.predicted_clv,
        -- RFM part: the three scores on 0–100; retention part: 100 × (1 − churn probability)
        100.0 * (rfm.r_score + rfm.f_score + rfm.m_score - 3)
        / (3 * ({{ var('rfm_buckets') }} - 1)) as rfm_component,
        100.0 * (1 - churn.churn_probability) as retention_component,
        metrics.has_purchased,
        customers.has_email,
        customers.has_phone,
        metrics.first_purchase_date,
        metrics.last_purchase_date,
        lifetime_value.expected_next_purchase_date
    from customers
    inner join metrics on customers.customer_id = metrics.customer_id
    left join rfm on customers.customer_id = rfm.customer_id
    left join tiers on customers.customer_id = tiers.customer_id
    left join churn on customers.customer_id = churn.customer_id
    left join statuses on customers.customer_id = statuses.customer_id
    left join behavior on customers.customer_id = behavior.customer_id
    left join lifetime_value on customers.customer_id = lifetime_value.customer_id
),

final as (
    select
        * exclude (rfm_component, retention_component),
        cast(round(
            case
                when retention_component is null then rfm_component
                else
                    {{ var('composite_rfm_weight') }} * rfm_component
                    + (1 - {{ var('composite_rfm_weight') }}) * retention_component
            end
        ) as integer) as composite_score,
        -- decimal, so sums of it are exact and every build gives the same bits
        cast(churn_probability * monetary as decimal(18, 6)) as expected_value_lost,
        {{ as_of_date() }} as as_of_date
    from combined
)

select * from final

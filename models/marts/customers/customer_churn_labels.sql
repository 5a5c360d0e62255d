-- The rule-based churn label, per customer who bought, with the figures it compares.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

buyers as (
    select * from metrics
    where has_purchased
),

medians as (
    -- the churn rule's medians over the buying customers (macros/churn_rule.sql)
    select
        {{ churn_rule_medians() }}
    from buyers
),

compared as (
    select
        buyers.customer_id,
        buyers.recency_days,
        buyers.frequency,
        buyers.monetary,
        buyers.avg_gap_days,
        {{ churn_rule_reference_gap('buyers.avg_gap_days', 'medians.median_repeat_gap_days') }}
            as reference_gap_days,
        case
            when buyers.avg_gap_days is not null then 'own_average_gap'
            else 'median_of_repeat_customers'
        end as reference_gap_source,
        medians.median_monetary,
        medians.median_frequency
    from buyers
    cross join medians
),

final as (
    select
        customer_id,
        reference_gap_source,
        recency_days,
        frequency,
        monetary,
        avg_gap_days,
        reference_gap_days,
        median_monetary,
        median_frequency,
        {{ churn_rule_is_overdue() }} as is_overdue,
        monetary < median_monetary as is_below_median_monetary,
        frequency < median_frequency as is_below_median_frequency,
        {{ churn_rule() }} as is_churned_by_rule
    from compared
)

select * from final

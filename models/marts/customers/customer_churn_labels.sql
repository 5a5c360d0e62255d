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
    select
        median(monetary) as median_monetary,
        median(frequency) as median_frequency,
        -- avg_gap_days is null for one-order customers, so this is over repeat customers
        median(avg_gap_days) as median_repeat_gap_days
    from buyers
),

compared as (
    select
        buyers.customer_id,
        buyers.recency_days,
        buyers.frequency,
        buyers.monetary,
        buyers.avg_gap_days,
        coalesce(buyers.avg_gap_days, medians.median_repeat_gap_days) as reference_gap_days,
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
        coalesce(recency_days > reference_gap_days, false) as is_overdue,
        monetary < median_monetary as is_below_median_monetary,
        frequency < median_frequency as is_below_median_frequency,
        coalesce(recency_days > reference_gap_days, false)
        and monetary < median_monetary
        and frequency < median_frequency as is_churned_by_rule
    from compared
)

select * from final

-- The expected value of retention per RFM segment, beside the Pulse retention ROI formula:
-- expected value lost = Σ churn probability × monetary (customer_360.expected_value_lost);
-- saved = expected value lost × `retention_save_rate`; cost = `retention_cost_ratio` ×
-- monetary of the customers; net = saved − cost. The same figures are the semantic layer's
-- metrics expected_value_lost, expected_saved_value, retention_cost and net_expected_value
-- grouped by customer__rfm_segment.

with

customers as (
    select * from {{ ref('customer_360') }}
),

by_segment as (
    select
        rfm_segment,
        count(*) as customers,
        sum(monetary) as monetary,
        sum(expected_value_lost) as expected_value_lost
    from customers
    where has_purchased and churn_probability is not null
    group by rfm_segment
),

final as (
    select
        rfm_segment,
        customers,
        cast(monetary as decimal(18, 4)) as monetary,
        cast(expected_value_lost as decimal(18, 4)) as expected_value_lost,
        cast(expected_value_lost * {{ var('retention_save_rate') }} as decimal(18, 4))
            as expected_saved_value,
        cast(monetary * {{ var('retention_cost_ratio') }} as decimal(18, 4)) as retention_cost,
        cast(
            expected_value_lost * {{ var('retention_save_rate') }}
            - monetary * {{ var('retention_cost_ratio') }} as decimal(18, 4)
        ) as net_expected_value,
        (
            expected_value_lost * {{ var('retention_save_rate') }}
            - monetary * {{ var('retention_cost_ratio') }}
        )
        / nullif(monetary * {{ var('retention_cost_ratio') }}, 0) * 100 as roi_pct
    from by_segment
)

select * from final

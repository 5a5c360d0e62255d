-- The expected value of retention per RFM segment, beside the Pulse retention ROI formula:
-- value at risk = Σ churn probability × monetary; saved = value at risk × `retention_save_rate`;
-- cost = `retention_cost_ratio` × monetary of the customers; net = saved − cost.

with

customers as (
    select * from {{ ref('customer_360') }}
),

by_segment as (
    select
        rfm_segment,
        count(*) as customers,
        sum(monetary) as monetary,
        -- decimal products, so the sum is exact and every build gives the same bits
        sum(cast(churn_probability * monetary as decimal(38, 6))) as value_at_risk
    from customers
    where has_purchased and churn_probability is not null
    group by rfm_segment
),

final as (
    select
        rfm_segment,
        customers,
        cast(monetary as decimal(18, 4)) as monetary,
        cast(value_at_risk as decimal(18, 4)) as value_at_risk,
        cast(value_at_risk * {{ var('retention_save_rate') }} as decimal(18, 4))
            as expected_saved_value,
        cast(monetary * {{ var('retention_cost_ratio') }} as decimal(18, 4)) as retention_cost,
        cast(
            value_at_risk * {{ var('retention_save_rate') }}
            - monetary * {{ var('retention_cost_ratio') }} as decimal(18, 4)
        ) as net_expected_value,
        (
            value_at_risk * {{ var('retention_save_rate') }}
            - monetary * {{ var('retention_cost_ratio') }}
        )
        / nullif(monetary * {{ var('retention_cost_ratio') }}, 0) * 100 as roi_pct
    from by_segment
)

select * from final

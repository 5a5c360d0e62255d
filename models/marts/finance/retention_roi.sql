-- The Pulse retention ROI formula, exactly: the top `roi_top_monetary_share` of buying
-- customers by monetary score whose churn probability is above `roi_min_churn_probability`.
--   Total Value = Σ (monetary_score × 100); Retention Cost = `retention_cost_ratio` of it;
--   Net Profit = Total Value − Retention Cost; ROI % = Net Profit / Retention Cost × 100.

with

customers as (
    select * from {{ ref('customer_360') }}
),

scored as (
    select
        customer_id,
        churn_probability,
        -- monetary score: monetary value scaled to 0–1 between the lowest and highest buyer
        (monetary - min(monetary) over ())
        / nullif(max(monetary) over () - min(monetary) over (), 0) as monetary_score,
        percent_rank() over (order by monetary desc) as monetary_rank_ratio
    from customers
    where has_purchased
),

targeted as (
    select * from scored
    where
        monetary_rank_ratio < {{ var('roi_top_monetary_share') }}
        and churn_probability > {{ var('roi_min_churn_probability') }}
),

totals as (
    select
        count(*) as targeted_customers,
        -- a decimal sum: exact, the same in every build
        coalesce(sum(cast(monetary_score * 100 as decimal(38, 6))), 0) as total_value
    from targeted
),

final as (
    select
        targeted_customers,
        total_value,
        total_value * {{ var('retention_cost_ratio') }} as retention_cost,
        total_value - total_value * {{ var('retention_cost_ratio') }} as net_profit,
        (total_value - total_value * {{ var('retention_cost_ratio') }})
        / nullif(total_value * {{ var('retention_cost_ratio') }}, 0) * 100 as roi_pct,
        {{ var('roi_top_monetary_share') }} as top_monetary_share,
        {{ var('roi_min_churn_probability') }} as min_churn_probability,
        {{ var('retention_cost_ratio') }} as retention_cost_ratio
    from totals
)

select * from final

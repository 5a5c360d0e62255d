-- KPI cards per filter value ('' = all customers, 'persona:<name>', 'rfm_segment:<name>'),
-- read from marts.kpi_summary: the semantic layer's metrics customers, revenue, profit,
-- churn_rate and value_at_risk per selection (models/marts/metrics/), with the coverage of
-- revenue and profit. No figure is computed here.
with

kpis as (
    select * from marts.kpi_summary
),

final as (
    select
        case
            when selection_kind = 'all' then ''
            else selection_kind || ':' || selection
        end as filter_key,
        customers,
        revenue,
        profit,
        price_coverage_ratio,
        cost_coverage_ratio,
        scored_customers,
        high_risk_customers,
        churn_rate,
        value_at_risk
    from kpis
)

select * from final
order by filter_key

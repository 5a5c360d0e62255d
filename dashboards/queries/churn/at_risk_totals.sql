-- The churn page's KPI cards: scored customers, customers in the high risk band and their
-- value (the metrics scored_customers, high_risk_customers and value_at_risk of all
-- customers, from marts.kpi_summary). One row even without customers (0 customers).
with

kpis as (
    select * from marts.kpi_summary
    where selection_kind = 'all'
),

final as (
    select
        coalesce(kpis.scored_customers, 0) as scored_customers,
        coalesce(kpis.high_risk_customers, 0) as customers,
        case when kpis.selection_kind is null then 0 else kpis.value_at_risk end as monetary
    from (select 1 as one) as one_row
    left join kpis on true
)

select * from final

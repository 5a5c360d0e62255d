-- KPI cards per filter value ('' = all customers, 'persona:<name>', 'rfm_segment:<name>').
-- revenue / profit: purchase lines (of completed orders) before the as-of date. Unknown
-- stays unknown: revenue sums the priced lines and profit the lines with a price and a
-- cost, each null when there is none (a selection without purchases has 0), with the
-- share they cover (price_coverage_ratio: of the lines; cost_coverage_ratio: of the
-- known revenue). churn_rate: share of scored customers in the high risk band;
-- value_at_risk: monetary of those customers.
-- Filter values come from the temporary view `filter_keys` (dashboards/queries/_views/).
with

as_of as (
    select as_of_date from main.publish_info
),

customers as (
    select * from marts.customer_360
),

order_lines as (
    select * from marts.fct_order_lines
),

customer_lines as (
    select
        order_lines.customer_id,
        count(*) as purchase_lines,
        count(order_lines.revenue) as priced_lines,
        sum(order_lines.revenue) as revenue,
        sum(order_lines.profit) as profit,
        sum(order_lines.revenue) filter (where order_lines.profit is not null) as costed_revenue
    from order_lines
    cross join as_of
    where order_lines.is_purchase and order_lines.order_date < as_of.as_of_date
    group by order_lines.customer_id
),

final as (
    select
        filter_keys.filter_key,
        count(*) as customers,
        case
            when coalesce(sum(customer_lines.purchase_lines), 0) = 0 then 0
            else sum(customer_lines.revenue)
        end as revenue,
        case
            when coalesce(sum(customer_lines.purchase_lines), 0) = 0 then 0
            else sum(customer_lines.profit)
        end as profit,
        sum(customer_lines.priced_lines) / sum(customer_lines.purchase_lines)
            as price_coverage_ratio,
        coalesce(sum(customer_lines.costed_revenue), 0)
        / nullif(sum(customer_lines.revenue), 0) as cost_coverage_ratio,
        count(customers.churn_probability) as scored_customers,
        count(*) filter (where customers.risk_band = 'high') as high_risk_customers,
        count(*) filter (where customers.risk_band = 'high')
        / nullif(count(customers.churn_probability), 0) as churn_rate,
        coalesce(sum(customers.monetary) filter (where customers.risk_band = 'high'), 0)
            as value_at_risk
    from filter_keys
    inner join customers on filter_keys.customer_id = customers.customer_id
    left join customer_lines on filter_keys.customer_id = customer_lines.customer_id
    group by filter_keys.filter_key
)

select * from final
order by filter_key

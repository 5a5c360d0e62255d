-- KPI cards per filter value ('' = all customers, 'persona:<name>', 'rfm_segment:<name>').
-- revenue / profit: purchase lines (of completed orders) before the as-of date. Unknown
-- stays unknown: revenue sums the priced lines and profit the lines with a price and a
-- cost, each null when there is none (a selection without purchases has 0), with the
-- share they cover (price_coverage_ratio: of the lines; cost_coverage_ratio: of the
-- known revenue). All customers' revenue and profit include anonymous (guest) orders;
-- a persona or segment has only its customers'. churn_rate: share of scored customers in
-- the high risk band; value_at_risk: monetary of those customers (null when one of them
-- has an unknown monetary value).
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

selection_lines as (
    -- each selection's customers, plus the guests' lines for all customers ('')
    select
        filter_keys.filter_key,
        customer_lines.*
    from filter_keys
    inner join customer_lines on filter_keys.customer_id = customer_lines.customer_id

    union all

    select
        '' as filter_key,
        customer_lines.*
    from customer_lines
    where customer_lines.customer_id is null
),

line_totals as (
    select
        filter_key,
        sum(purchase_lines) as purchase_lines,
        sum(priced_lines) as priced_lines,
        sum(revenue) as revenue,
        sum(profit) as profit,
        sum(costed_revenue) as costed_revenue
    from selection_lines
    group by filter_key
),

customer_totals as (
    select
        filter_keys.filter_key,
        count(*) as customers,
        count(customers.churn_probability) as scored_customers,
        count(*) filter (where customers.risk_band = 'high') as high_risk_customers,
        count(customers.monetary) filter (where customers.risk_band = 'high')
            as high_risk_known_monetary,
        sum(customers.monetary) filter (where customers.risk_band = 'high')
            as high_risk_monetary
    from filter_keys
    inner join customers on filter_keys.customer_id = customers.customer_id
    group by filter_keys.filter_key
),

final as (
    select
        customer_totals.filter_key,
        customer_totals.customers,
        case
            when coalesce(line_totals.purchase_lines, 0) = 0 then 0 else line_totals.revenue
        end as revenue,
        case
            when coalesce(line_totals.purchase_lines, 0) = 0 then 0 else line_totals.profit
        end as profit,
        line_totals.priced_lines / line_totals.purchase_lines as price_coverage_ratio,
        coalesce(line_totals.costed_revenue, 0)
        / nullif(line_totals.revenue, 0) as cost_coverage_ratio,
        customer_totals.scored_customers,
        customer_totals.high_risk_customers,
        customer_totals.high_risk_customers
        / nullif(customer_totals.scored_customers, 0) as churn_rate,
        case
            when customer_totals.high_risk_customers = 0 then 0
            when customer_totals.high_risk_known_monetary = customer_totals.high_risk_customers
                then customer_totals.high_risk_monetary
        end as value_at_risk
    from customer_totals
    left join line_totals on customer_totals.filter_key = line_totals.filter_key
)

select * from final
order by filter_key

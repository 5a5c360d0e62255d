-- Revenue and profit per month, quarter and year of every persona and RFM segment (the
-- trend the segment filter redraws; all customers use marts.profit_trend), from the
-- purchase lines, unknown staying unknown as in marts.profit_trend; whether the data
-- covers a period comes from there too. Filter values come from the temporary view
-- `filter_keys` (dashboards/queries/_views/).
with

as_of as (
    select as_of_date from main.publish_info
),

order_lines as (
    select * from marts.fct_order_lines
),

periods as (
    select * from marts.profit_trend
),

-- one row per customer and month first (an order lies in one month): quarters and years
-- are unions of months
customer_months as (
    select
        order_lines.customer_id,
        cast(date_trunc('month', order_lines.order_date) as date) as month_start,
        count(distinct order_lines.order_id) as purchases,
        count(*) as purchase_lines,
        count(order_lines.revenue) as priced_lines,
        sum(order_lines.revenue) as revenue,
        sum(order_lines.profit) as profit,
        sum(order_lines.revenue) filter (where order_lines.profit is not null) as costed_revenue
    from order_lines
    cross join as_of
    where order_lines.is_purchase and order_lines.order_date < as_of.as_of_date
    group by order_lines.customer_id, month_start
),

grains as (
    select unnest(['month', 'quarter', 'year']) as period_grain
),

totals as (
    select
        filter_keys.filter_key,
        grains.period_grain,
        cast(date_trunc(grains.period_grain, customer_months.month_start) as date)
            as period_start,
        sum(customer_months.purchases) as purchases,
        sum(customer_months.revenue) as revenue,
        sum(customer_months.profit) as profit,
        sum(customer_months.priced_lines) / sum(customer_months.purchase_lines)
            as price_coverage_ratio,
        coalesce(sum(customer_months.costed_revenue), 0)
        / nullif(sum(customer_months.revenue), 0) as cost_coverage_ratio
    from customer_months
    inner join filter_keys on customer_months.customer_id = filter_keys.customer_id
    cross join grains
    where filter_keys.filter_key != ''
    group by filter_keys.filter_key, grains.period_grain, period_start
),

final as (
    select
        totals.filter_key,
        totals.period_grain,
        totals.period_start,
        totals.purchases,
        totals.revenue,
        totals.profit,
        totals.price_coverage_ratio,
        totals.cost_coverage_ratio,
        periods.covered_days,
        periods.period_days,
        periods.is_partial_period
    from totals
    left join periods
        on
            totals.period_grain = periods.period_grain
            and totals.period_start = periods.period_start
)

select * from final
order by filter_key, period_grain, period_start

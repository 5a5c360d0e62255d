-- Revenue, cost, profit, active and new customers per month, quarter and year, with the
-- change on the previous period of the same grain, how much of the revenue has a known
-- price and cost (docs: cost_coverage) and whether the data covers the whole period
-- (docs: partial_period).

with

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

period_coverage as (
    select * from {{ ref('int_period_coverage') }}
),

purchase_lines as (
    select
        order_id,
        customer_id,
        revenue,
        -- cost and profit of the lines whose price and cost are both known
        case when profit is not null then cost end as cost,
        profit,
        case when profit is not null then revenue end as costed_revenue,
        order_date
    from order_lines
    where is_purchase and ordered_at < {{ as_of_date() }}
),

-- one row per customer and month first: quarters and years are unions of months, and an
-- order lies in one month, so the figures add up exactly
customer_months as (
    select
        customer_id,
        cast(date_trunc('month', order_date) as date) as month_start,
        count(distinct order_id) as purchases,
        count(*) as purchase_lines,
        count(revenue) as priced_lines,
        sum(revenue) as revenue,
        sum(cost) as cost,
        sum(profit) as profit,
        sum(costed_revenue) as costed_revenue,
        min(order_date) as first_order_date
    from purchase_lines
    group by customer_id, month_start
),

with_first_purchase as (
    select
        *,
        min(first_order_date) over (partition by customer_id) as first_purchase_date
    from customer_months
),

periods as (
    {%- for grain in period_grains() %}
    select
        '{{ grain }}' as period_grain,
        cast(date_trunc('{{ grain }}', month_start) as date) as period_start,
        customer_id,
        purchases,
        purchase_lines,
        priced_lines,
        revenue,
        cost,
        profit,
        costed_revenue,
        date_trunc('{{ grain }}', first_purchase_date) = date_trunc('{{ grain }}', month_start)
            as is_first_purchase_period
    from with_first_purchase
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- the sums first, over few groups; the distinct customers apart, from one row per
-- customer and period (two distinct counts over the periods cost twice as much)
sums as (
    select
        period_grain,
        period_start,
        sum(purchases) as purchases,
        -- sums skip unknown (null) figures and are null when no line's figure is known
        cast(sum(revenue) as decimal(18, 4)) as revenue,
        cast(sum(cost) as decimal(18, 4)) as cost,
        cast(sum(profit) as decimal(18, 4)) as profit,
        sum(priced_lines) / sum(purchase_lines) as price_coverage_ratio,
        coalesce(sum(costed_revenue), 0) / nullif(sum(revenue), 0) as cost_coverage_ratio
    from periods
    group by period_grain, period_start
),

customer_periods as (
    select
        period_grain,
        period_start,
        customer_id,
        bool_or(is_first_purchase_period) as is_first_purchase_period
    from periods
    where customer_id is not null  -- guest orders have no customer to count
    group by period_grain, period_start, customer_id
),

customer_counts as (
    select
        period_grain,
        period_start,
        count(*) as active_customers,
        count(*) filter (where is_first_purchase_period) as new_customers
    from customer_periods
    group by period_grain, period_start
),

totals as (
    select
        sums.*,
        customer_counts.active_customers,
        customer_counts.new_customers
    from sums
    inner join customer_counts
        on
            sums.period_grain = customer_counts.period_grain
            and sums.period_start = customer_counts.period_start
),

final as (
    select
        totals.period_grain,
        totals.period_start,
        cast(totals.purchases as bigint) as purchases,
        totals.revenue,
        totals.cost,
        totals.profit,
        cast(totals.price_coverage_ratio as double) as price_coverage_ratio,
        cast(totals.cost_coverage_ratio as double) as cost_coverage_ratio,
        totals.active_customers,
        totals.new_customers,
        totals.revenue - lag(totals.revenue) over by_period as revenue_change,
        (totals.revenue - lag(totals.revenue) over by_period)
        / nullif(lag(totals.revenue) over by_period, 0) as revenue_change_ratio,
        totals.profit - lag(totals.profit) over by_period as profit_change,
        totals.active_customers - lag(totals.active_customers) over by_period
            as active_customers_change,
        period_coverage.covered_days,
        period_coverage.period_days,
        period_coverage.is_partial_period
    from totals
    left join period_coverage
        on
            totals.period_grain = period_coverage.period_grain
            and totals.period_start = period_coverage.period_start
    window by_period as (partition by totals.period_grain order by totals.period_start)
)

select * from final

-- Revenue, cost, profit, active and new customers per month, quarter and year, with the
-- change on the previous period of the same grain (documents 003 and 004).

with

orders as (
    select * from {{ ref('fct_orders') }}
),

purchases as (
    select
        customer_id,
        revenue,
        cost,
        profit,
        ordered_at,
        min(ordered_at) over (partition by customer_id) as first_purchase_at
    from orders
    where is_purchase and ordered_at < {{ as_of_date() }}
),

periods as (
    {%- for grain in ['month', 'quarter', 'year'] %}
    select
        '{{ grain }}' as period_grain,
        cast(date_trunc('{{ grain }}', ordered_at) as date) as period_start,
        customer_id,
        revenue,
        cost,
        profit,
        date_trunc('{{ grain }}', first_purchase_at) = date_trunc('{{ grain }}', ordered_at)
            as is_first_purchase_period
    from purchases
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

totals as (
    select
        period_grain,
        period_start,
        count(*) as purchases,
        cast(sum(revenue) as decimal(18, 4)) as revenue,
        cast(sum(cost) as decimal(18, 4)) as cost,
        cast(sum(profit) as decimal(18, 4)) as profit,
        count(distinct customer_id) as active_customers,
        count(distinct customer_id) filter (where is_first_purchase_period) as new_customers
    from periods
    group by period_grain, period_start
),

final as (
    select
        period_grain,
        period_start,
        purchases,
        revenue,
        cost,
        profit,
        active_customers,
        new_customers,
        revenue - lag(revenue) over by_period as revenue_change,
        (revenue - lag(revenue) over by_period) / nullif(lag(revenue) over by_period, 0)
            as revenue_change_ratio,
        profit - lag(profit) over by_period as profit_change,
        active_customers - lag(active_customers) over by_period as active_customers_change
    from totals
    window by_period as (partition by period_grain order by period_start)
)

select * from final

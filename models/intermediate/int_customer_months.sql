-- One row per customer (null for guest orders) and month with purchases before the as-of
-- date: purchases, lines, revenue, cost and profit, the figures profit_trend adds up to
-- months, quarters and years (an order lies in one month, so they add up exactly). An
-- incremental run recomputes only the months with an order line in the look-back window
-- (strategy lookback_recompute, docs: incremental_lookback).
{%- set window_start = lookback_recompute_start() %}
{%- set month = 'cast(' ~ dbt.date_trunc('month', 'order_date') ~ ' as date)' %}

with

order_lines as (
    select * from {{ ref('fct_order_lines') }}
    {{- lookback_keys_filter(window_start, month) }}
),

fingerprints as (
    {{ lookback_key_fingerprints(window_start, 'month_start') }}
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
        {{ month }} as month_start,
        order_date,
        ordered_at
    from order_lines
    where is_purchase and ordered_at < {{ as_of_date(literal=true) }}
),

customer_months as (
    select
        month_start,
        customer_id,
        count(distinct order_id) as purchases,
        count(*) as purchase_lines,
        count(revenue) as priced_lines,
        sum(revenue) as revenue,
        sum(cost) as cost,
        sum(profit) as profit,
        sum(costed_revenue) as costed_revenue,
        min(order_date) as first_order_date,
        max(ordered_at) as last_ordered_at
    from purchase_lines
    group by month_start, customer_id
),

final as (
    select
        customer_months.month_start,
        customer_months.customer_id,
        customer_months.purchases,
        customer_months.purchase_lines,
        customer_months.priced_lines,
        cast(customer_months.revenue as decimal(18, 4)) as revenue,
        cast(customer_months.cost as decimal(18, 4)) as cost,
        cast(customer_months.profit as decimal(18, 4)) as profit,
        cast(customer_months.costed_revenue as decimal(18, 4)) as costed_revenue,
        customer_months.first_order_date,
        customer_months.last_ordered_at,
        fingerprints.input_fingerprint
    from customer_months
    left join fingerprints on customer_months.month_start = fingerprints.month_start
)

select * from final

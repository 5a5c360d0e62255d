-- One row per customer with an order before the as-of date: what their whole order
-- history adds up to, none of it measured against the as-of date itself (recency, tenure
-- and windows are, in customer_metrics and customer_behavior, from these totals). An
-- incremental run recomputes only the customers with an order in the look-back window
-- (strategy lookback_recompute, docs: incremental_lookback).
{%- set window_start = lookback_recompute_start() %}

with

orders as (
    select * from {{ ref('fct_orders') }}
    {{- lookback_keys_filter(window_start) }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
    {{- lookback_keys_filter(window_start) }}
),

purchases as (
    select * from {{ ref('int_purchases_with_gaps') }}
    {{- lookback_keys_filter(window_start) }}
),

fingerprints as (
    {{ lookback_key_fingerprints(window_start, 'customer_id') }}
),

order_summary as (
    -- gross, returned and net spend over every order that happened (not cancelled),
    -- return documents included; unknown when any order's price is (docs: net_revenue)
    select
        customer_id,
        count(*) as orders,
        count(*) filter (where status = 'returned') as returned_orders,
        case when count(*) filter (where status != 'cancelled') = count(net_revenue) filter (
            where status != 'cancelled'
        ) then sum(revenue) filter (where status in ('completed', 'returned')) end as gross_spend,
        case when count(*) filter (where status != 'cancelled') = count(net_revenue) filter (
            where status != 'cancelled'
        ) then sum(returned_revenue) filter (where status != 'cancelled') end as returned_value,
        case when count(*) filter (where status != 'cancelled') = count(net_revenue) filter (
            where status != 'cancelled'
        ) then sum(net_revenue) filter (where status != 'cancelled') end as net_spend,
        count(*) filter (where status != 'cancelled') > 0 as has_spend,
        max(ordered_at) as last_ordered_at
    from orders
    where customer_id is not null and ordered_at < {{ as_of_date(literal=true) }}
    group by customer_id
),

line_summary as (
    select
        customer_id,
        count(*) as purchase_lines,
        count(*) filter (where is_discounted) as discounted_purchase_lines,
        -- postage, fees and the like are no products (their revenue still counts above)
        count(distinct product_id) filter (where is_product_line) as unique_products
    from order_lines
    where is_purchase and customer_id is not null and ordered_at < {{ as_of_date(literal=true) }}
    group by customer_id
),

purchase_summary as (
    select
        customer_id,
        count(*) as frequency,
        count(distinct order_date) as distinct_purchase_days,
        count(*) filter (where is_store_visit) as store_visits,
        avg(gap_days) as avg_gap_days,
        median(gap_days) as median_gap_days,
        -- the gap before the last purchase (the one with no next purchase)
        max(gap_days) filter (where next_ordered_at is null) as last_gap_days,
        min(order_date) as first_purchase_date,
        max(order_date) as last_purchase_date
    from purchases
    group by customer_id
),

final as (
    select
        order_summary.customer_id,
        coalesce(purchase_summary.frequency, 0) as frequency,
        coalesce(purchase_summary.distinct_purchase_days, 0) as distinct_purchase_days,
        coalesce(purchase_summary.store_visits, 0) as store_visits,
        coalesce(line_summary.unique_products, 0) as unique_products,
        order_summary.orders,
        order_summary.returned_orders,
        coalesce(line_summary.purchase_lines, 0) as purchase_lines,
        coalesce(line_summary.discounted_purchase_lines, 0) as discounted_purchase_lines,
        cast(order_summary.gross_spend as decimal(18, 4)) as gross_spend,
        cast(order_summary.returned_value as decimal(18, 4)) as returned_value,
        cast(order_summary.net_spend as decimal(18, 4)) as net_spend,
        purchase_summary.avg_gap_days,
        purchase_summary.median_gap_days,
        purchase_summary.last_gap_days,
        order_summary.has_spend,
        purchase_summary.customer_id is not null as has_purchased,
        purchase_summary.first_purchase_date,
        purchase_summary.last_purchase_date,
        order_summary.last_ordered_at,
        fingerprints.input_fingerprint
    from order_summary
    left join fingerprints on order_summary.customer_id = fingerprints.customer_id
    left join purchase_summary on order_summary.customer_id = purchase_summary.customer_id
    left join line_summary on order_summary.customer_id = line_summary.customer_id
)

select * from final

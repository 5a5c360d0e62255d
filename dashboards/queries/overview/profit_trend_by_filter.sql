-- Revenue and profit per month, quarter and year of every persona and RFM segment (the
-- trend the segment filter redraws; all customers use marts.profit_trend). Filter values
-- come from the temporary view `filter_keys` (dashboards/queries/_views/).
with

as_of as (
    select as_of_date from main.publish_info
),

orders as (
    select * from marts.fct_orders
),

purchases as (
    select
        orders.customer_id,
        orders.order_date,
        orders.revenue,
        orders.profit
    from orders
    cross join as_of
    where orders.is_purchase and orders.order_date < as_of.as_of_date
),

grains as (
    select unnest(['month', 'quarter', 'year']) as period_grain
),

final as (
    select
        filter_keys.filter_key,
        grains.period_grain,
        cast(date_trunc(grains.period_grain, purchases.order_date) as date) as period_start,
        count(*) as purchases,
        sum(purchases.revenue) as revenue,
        sum(purchases.profit) as profit
    from purchases
    inner join filter_keys on purchases.customer_id = filter_keys.customer_id
    cross join grains
    where filter_keys.filter_key != ''
    group by filter_keys.filter_key, grains.period_grain, period_start
)

select * from final
order by filter_key, period_grain, period_start

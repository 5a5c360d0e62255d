-- KPI cards per filter value ('' = all customers, 'persona:<name>', 'rfm_segment:<name>').
-- revenue / profit: purchases (completed orders) before the as-of date; churn_rate: share
-- of scored customers in the high risk band; value_at_risk: monetary of those customers.
-- Filter values come from the temporary view `filter_keys` (dashboards/queries/_views/).
with

as_of as (
    select as_of_date from main.publish_info
),

customers as (
    select * from marts.customer_360
),

orders as (
    select * from marts.fct_orders
),

customer_orders as (
    select
        orders.customer_id,
        sum(orders.revenue) as revenue,
        sum(orders.profit) as profit
    from orders
    cross join as_of
    where orders.is_purchase and orders.order_date < as_of.as_of_date
    group by orders.customer_id
),

final as (
    select
        filter_keys.filter_key,
        count(*) as customers,
        coalesce(sum(customer_orders.revenue), 0) as revenue,
        coalesce(sum(customer_orders.profit), 0) as profit,
        count(customers.churn_probability) as scored_customers,
        count(*) filter (where customers.risk_band = 'high') as high_risk_customers,
        count(*) filter (where customers.risk_band = 'high')
        / nullif(count(customers.churn_probability), 0) as churn_rate,
        coalesce(sum(customers.monetary) filter (where customers.risk_band = 'high'), 0)
            as value_at_risk
    from filter_keys
    inner join customers on filter_keys.customer_id = customers.customer_id
    left join customer_orders on filter_keys.customer_id = customer_orders.customer_id
    group by filter_keys.filter_key
)

select * from final
order by filter_key

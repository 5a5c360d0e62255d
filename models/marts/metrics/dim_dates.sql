-- One row per day from the first order's day to the as-of date: the time spine
-- MetricFlow joins metrics to (metric_time), built from the data, never the clock.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

bounds as (
    select
        min(order_date) as first_date,
        {{ as_of_date() }} as last_date
    from orders
),

days as (
    select cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date) as date_day
    from bounds
    where first_date is not null
),

final as (
    select date_day
    from days
)

select * from final

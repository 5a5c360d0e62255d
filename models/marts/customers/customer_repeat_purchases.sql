-- The repeat-purchase summary of every buying customer as of the as-of date: what the
-- customer lifetime value models (BG/NBD, Gamma-Gamma) read, in purchase days.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

purchases as (
    select * from {{ ref('fct_customer_purchases') }}
),

purchase_days as (
    -- one purchase occasion per day: several orders on a day count once, with their value
    -- summed; unknown when any of the day's purchases has an unknown value
    select
        customer_id,
        order_date,
        case when count(revenue) = count(*) then sum(revenue) end as day_value,
        order_date = min(order_date) over (partition by customer_id) as is_first_purchase_day
    from purchases
    group by customer_id, order_date
),

repeat_values as (
    -- the mean value of the repeat purchase days (all but the first), each day's value never
    -- below 0, like monetary; unknown when one of them is unknown
    select
        customer_id,
        case
            when count(day_value) = count(*)
                then sum(greatest(day_value, 0)) / count(*)
        end as avg_repeat_purchase_value
    from purchase_days
    where not is_first_purchase_day
    group by customer_id
),

final as (
    select
        metrics.customer_id,
        metrics.distinct_purchase_days - 1 as repeat_purchase_days,
        metrics.active_days - metrics.recency_days as purchase_span_days,
        metrics.active_days,
        cast(repeat_values.avg_repeat_purchase_value as double) as avg_repeat_purchase_value
    from metrics
    left join repeat_values on metrics.customer_id = repeat_values.customer_id
    where metrics.has_purchased
)

select * from final

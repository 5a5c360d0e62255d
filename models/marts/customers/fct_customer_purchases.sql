-- One row per purchase (completed order) of a known customer before the as-of date, with
-- the customer's running history at that purchase: the gap since the previous purchase,
-- the next purchase, and running frequency and net value. Snapshots and customer metrics
-- read from here. Anonymous (guest) orders have no customer history and are left out.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

purchases as (
    select
        order_id,
        customer_id,
        -- net of the order's own returned lines (docs: net_revenue); null when unknown
        net_revenue as revenue,
        is_store_visit,
        store_id,
        order_date,
        ordered_at
    from orders
    where is_purchase and customer_id is not null and ordered_at < {{ as_of_date() }}
),

sequenced as (
    select
        *,
        row_number() over customer_history as purchase_number,
        lag(order_date) over customer_history as previous_order_date,
        lead(ordered_at) over customer_history as next_ordered_at,
        -- unknown as soon as one purchase's value is unknown (a basket-only file)
        case
            when count(revenue) over customer_history = count(*) over customer_history
                then sum(revenue) over customer_history
        end as running_monetary,
        count(*) filter (where is_store_visit) over customer_history as running_store_visits,
        min(order_date) over customer_history as first_purchase_date
    from purchases
    window customer_history as (
        partition by customer_id
        order by ordered_at, order_id
        rows between unbounded preceding and current row
    )
),

final as (
    select
        order_id,
        customer_id,
        store_id,
        purchase_number,
        revenue,
        running_monetary,
        running_store_visits,
        date_diff('day', previous_order_date, order_date) as gap_days,
        is_store_visit,
        first_purchase_date,
        previous_order_date,
        order_date,
        ordered_at,
        next_ordered_at
    from sequenced
)

select * from final

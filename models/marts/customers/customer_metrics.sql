-- The customer metrics, one row per customer, as of the as-of date.

with

customers as (
    select * from {{ ref('dim_customers') }}
),

purchases as (
    select * from {{ ref('fct_customer_purchases') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

email_engagement as (
    select * from {{ ref('customer_email_engagement') }}
),

email_events as (
    select * from {{ ref('stg_email_events') }}
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

spend as (
    -- gross, returned and net spend over every order that happened (not cancelled),
    -- return documents included; unknown when any order's price is (docs: net_revenue)
    select
        customer_id,
        case when count(*) = count(net_revenue) then sum(revenue) filter (
            where status in ('completed', 'returned')
        ) end as gross_spend,
        case when count(*) = count(net_revenue) then sum(returned_revenue) end
            as returned_value,
        case when count(*) = count(net_revenue) then sum(net_revenue) end as net_spend
    from orders
    where
        customer_id is not null
        and status != 'cancelled'
        and ordered_at < {{ as_of_date() }}
    group by customer_id
),

products_bought as (
    select
        customer_id,
        count(distinct product_id) as unique_products
    from order_lines
    -- postage, fees and the like are no products (their revenue still counts above)
    where is_purchase and is_product_line and ordered_at < {{ as_of_date() }}
    group by customer_id
),

email_data as (
    select count(*) > 0 as has_email_data
    from email_events
),

final as (
    select
        customers.customer_id,
        coalesce(purchase_summary.frequency, 0) as frequency,
        -- net spend, never below 0 (returns of purchases from before the data began)
        -- (greatest() would skip a null, so an unknown spend stays unknown by hand)
        cast(
            case
                when purchase_summary.customer_id is null then 0
                when spend.net_spend < 0 then 0
                else spend.net_spend
            end as decimal(18, 4)
        ) as monetary,
        cast(
            case when spend.customer_id is null then 0 else spend.gross_spend end
            as decimal(18, 4)
        ) as gross_spend,
        cast(
            case when spend.customer_id is null then 0 else spend.returned_value end
            as decimal(18, 4)
        ) as returned_value,
        cast(
            case when spend.customer_id is null then 0 else spend.net_spend end
            as decimal(18, 4)
        ) as net_spend,
        date_diff('day', purchase_summary.last_purchase_date, {{ as_of_date() }}) as recency_days,
        date_diff('day', purchase_summary.first_purchase_date, {{ as_of_date() }}) as active_days,
        coalesce(purchase_summary.distinct_purchase_days, 0) as distinct_purchase_days,
        purchase_summary.avg_gap_days,
        purchase_summary.median_gap_days,
        purchase_summary.last_gap_days,
        coalesce(purchase_summary.store_visits, 0) as store_visits,
        purchase_summary.store_visits / purchase_summary.frequency as store_visit_ratio,
        coalesce(products_bought.unique_products, 0) as unique_products,
        cast(
            case when spend.net_spend < 0 then 0 else spend.net_spend end
            / purchase_summary.frequency as decimal(18, 4)
        ) as avg_order_value,
        case
            when email_data.has_email_data then coalesce(email_engagement.opens, 0)
        end as email_opens,
        purchase_summary.customer_id is not null as has_purchased,
        purchase_summary.first_purchase_date,
        purchase_summary.last_purchase_date
    from customers
    cross join email_data
    left join purchase_summary on customers.customer_id = purchase_summary.customer_id
    left join spend on customers.customer_id = spend.customer_id
    left join products_bought on customers.customer_id = products_bought.customer_id
    left join email_engagement on customers.customer_id = email_engagement.customer_id
)

select * from final

-- The customer metrics, one row per customer, as of the as-of date: the order-history
-- totals (int_customer_order_totals, incremental) with what is measured against the
-- as-of date (recency, tenure) and the e-mail opens.

with

customers as (
    select * from {{ ref('dim_customers') }}
),

totals as (
    select * from {{ ref('int_customer_order_totals') }}
),

email_engagement as (
    select * from {{ ref('customer_email_engagement') }}
),

email_events as (
    select * from {{ ref('stg_email_events') }}
),

email_data as (
    select count(*) > 0 as has_email_data
    from email_events
),

final as (
    select
        customers.customer_id,
        coalesce(totals.frequency, 0) as frequency,
        -- net spend, never below 0 (returns of purchases from before the data began)
        -- (greatest() would skip a null, so an unknown spend stays unknown by hand)
        cast(
            case
                when not coalesce(totals.has_purchased, false) then 0
                when totals.net_spend < 0 then 0
                else totals.net_spend
            end as decimal(18, 4)
        ) as monetary,
        -- 0 without an order that happened; unknown when any order's price is
        cast(
            case when coalesce(totals.has_spend, false) then totals.gross_spend else 0 end
            as decimal(18, 4)
        ) as gross_spend,
        cast(
            case when coalesce(totals.has_spend, false) then totals.returned_value else 0 end
            as decimal(18, 4)
        ) as returned_value,
        cast(
            case when coalesce(totals.has_spend, false) then totals.net_spend else 0 end
            as decimal(18, 4)
        ) as net_spend,
        date_diff('day', totals.last_purchase_date, {{ as_of_date() }}) as recency_days,
        date_diff('day', totals.first_purchase_date, {{ as_of_date() }}) as active_days,
        coalesce(totals.distinct_purchase_days, 0) as distinct_purchase_days,
        totals.avg_gap_days,
        totals.median_gap_days,
        totals.last_gap_days,
        coalesce(totals.store_visits, 0) as store_visits,
        totals.store_visits / nullif(totals.frequency, 0) as store_visit_ratio,
        coalesce(totals.unique_products, 0) as unique_products,
        cast(
            case when totals.net_spend < 0 then 0 else totals.net_spend end
            / nullif(totals.frequency, 0) as decimal(18, 4)
        ) as avg_order_value,
        case
            when email_data.has_email_data then coalesce(email_engagement.opens, 0)
        end as email_opens,
        coalesce(totals.has_purchased, false) as has_purchased,
        totals.first_purchase_date,
        totals.last_purchase_date
    from customers
    cross join email_data
    left join totals on customers.customer_id = totals.customer_id
    left join email_engagement on customers.customer_id = email_engagement.customer_id
)

select * from final

{#- The CTEs that carry each customer's purchase history to a set of cutoff dates, from
    purchases and orders strictly before each cutoff (docs: point_in_time): one row per
    customer who had bought by the cutoff, with the running figures of their last purchase
    before it and their net spend (as monetary value in customer_metrics). Emitted as CTEs
    `last_purchase_before_cutoff`, `other_orders_net` and the result `history`; the model
    defines `purchases` (fct_customer_purchases), `orders` (fct_orders) and the cutoffs
    CTE named by `cutoffs` (a `cutoff_date` column, other columns carried along). -#}
{% macro point_in_time_history(cutoffs='cutoffs') %}
last_purchase_before_cutoff as (
    -- the customer's last purchase before the cutoff carries their running history;
    -- its next purchase is the first one on or after the cutoff
    select
        {{ cutoffs }}.*,
        purchases.*
    from purchases
    inner join {{ cutoffs }}
        on
            purchases.ordered_at < {{ cutoffs }}.cutoff_date
            and (
                purchases.next_ordered_at >= {{ cutoffs }}.cutoff_date
                or purchases.next_ordered_at is null
            )
),

other_orders_net as (
    -- the net value of the customer's orders that are not purchases (return documents,
    -- returned orders) before each cutoff, so monetary is net spend as in customer_metrics
    select
        {{ cutoffs }}.cutoff_date,
        orders.customer_id,
        sum(orders.net_revenue) as net_revenue,
        count(*) > count(orders.net_revenue) as has_unknown_value
    from orders
    inner join {{ cutoffs }} on orders.ordered_at < {{ cutoffs }}.cutoff_date
    where
        not orders.is_purchase
        and orders.status != 'cancelled'
        and orders.customer_id is not null
        and (orders.net_revenue != 0 or orders.net_revenue is null)
    group by {{ cutoffs }}.cutoff_date, orders.customer_id
),

history as (
    select
        last_purchase_before_cutoff.*,
        -- net spend, never below 0 (docs: monetary); unknown when any value is
        case
            when other_orders_net.has_unknown_value then null
            when
                last_purchase_before_cutoff.running_monetary
                + coalesce(other_orders_net.net_revenue, 0) < 0 then 0
            else
                last_purchase_before_cutoff.running_monetary
                + coalesce(other_orders_net.net_revenue, 0)
        end as net_monetary
    from last_purchase_before_cutoff
    left join other_orders_net
        on
            last_purchase_before_cutoff.cutoff_date = other_orders_net.cutoff_date
            and last_purchase_before_cutoff.customer_id = other_orders_net.customer_id
)
{%- endmacro %}


{#- The customer features at each cutoff, as select columns over the `history` CTE above:
    recency, frequency, net monetary value, average order value and purchase gap, tenure. -#}
{% macro point_in_time_features() %}
        customer_id,
        cutoff_date,
        date_diff('day', order_date, cutoff_date) as recency_days,
        purchase_number as frequency,
        cast(net_monetary as decimal(18, 4)) as monetary,
        cast(net_monetary / purchase_number as decimal(18, 4)) as avg_order_value,
        -- the mean of the gaps telescopes to (last − first) / (purchases − 1)
        date_diff('day', first_purchase_date, order_date) / nullif(purchase_number - 1, 0)
            as avg_gap_days,
        gap_days as last_gap_days,
        running_store_visits as store_visits,
        date_diff('day', first_purchase_date, cutoff_date) as active_days,
        first_purchase_date,
        order_date as last_purchase_date
{%- endmacro %}

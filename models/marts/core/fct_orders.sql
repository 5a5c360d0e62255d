with

-- an incremental run recomputes only the orders placed in the look-back window
-- (docs: incremental_lookback), from their lines
orders as (
    select * from {{ ref('stg_orders') }}
    {{- lookback_filter('ordered_at') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
    {%- if is_incremental() %}
    where order_id in (select orders.order_id from orders)
    {%- endif %}
),

order_totals as (
    -- a figure over lines is unknown (null) when any line's price is unknown
    select
        order_id,
        count(*) as line_count,
        count(*) = count(revenue) as is_revenue_known,
        count(*) filter (where is_return_line) as returned_lines,
        bool_and(is_return_line) as is_every_line_returned,
        cast(sum(quantity) as bigint) as units,
        cast(sum(revenue) filter (where not is_return_line) as decimal(18, 4)) as revenue,
        cast(
            sum(revenue) filter (
                where status != 'cancelled' and (is_return_line or status = 'returned')
            )
            as decimal(18, 4)
        ) as returned_revenue,
        cast(sum(net_revenue) as decimal(18, 4)) as net_revenue,
        cast(sum(discount_amount) as decimal(18, 4)) as discount_amount,
        -- cost and profit (of the sold lines) are known only when every line has a unit cost
        case
            when count(unit_cost) = count(*)
                then cast(sum(cost) filter (where not is_return_line) as decimal(18, 4))
        end as cost,
        case
            when count(unit_cost) = count(*)
                then cast(sum(profit) filter (where not is_return_line) as decimal(18, 4))
        end as profit,
        count(distinct product_id) as distinct_products
    from order_lines
    group by order_id
),

classified as (
    select
        orders.*,
        order_totals.order_id is not null as has_lines,
        coalesce(order_totals.is_revenue_known, true) as is_revenue_known,
        {{ order_status_with_returns('orders.status', 'order_totals.is_every_line_returned') }}
            as order_status,
        order_totals.line_count,
        order_totals.returned_lines,
        order_totals.units,
        order_totals.distinct_products,
        order_totals.revenue,
        order_totals.returned_revenue,
        order_totals.net_revenue,
        order_totals.discount_amount,
        order_totals.cost,
        order_totals.profit
    from orders
    left join order_totals on orders.order_id = order_totals.order_id
),

final as (
    select
        order_id,
        customer_id,
        channel,
        store_id,
        order_status as status,
        coalesce(line_count, 0) as line_count,
        coalesce(units, 0) as units,
        coalesce(distinct_products, 0) as distinct_products,
        -- an order without lines has no revenue (0); one with an unknown price, unknown
        case when is_revenue_known then coalesce(revenue, 0) end as revenue,
        case when is_revenue_known then coalesce(returned_revenue, 0) end as returned_revenue,
        case when is_revenue_known then coalesce(net_revenue, 0) end as net_revenue,
        coalesce(discount_amount, 0) as discount_amount,
        cost,
        profit,
        order_status = 'completed' and coalesce(line_count, 0) > coalesce(returned_lines, 0)
            as is_purchase,
        coalesce(discount_amount, 0) > 0 as has_discount,
        channel = 'store' as is_store_visit,
        customer_id is null as is_anonymous,
        cast(ordered_at as date) as order_date,
        ordered_at
    from classified
)

select * from final

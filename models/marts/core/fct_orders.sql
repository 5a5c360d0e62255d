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
    select
        order_id,
        count(*) as line_count,
        cast(sum(quantity) as bigint) as units,
        cast(sum(revenue) as decimal(18, 4)) as revenue,
        cast(sum(discount_amount) as decimal(18, 4)) as discount_amount,
        -- cost and profit are known only when every line has a unit cost
        case when count(unit_cost) = count(*) then cast(sum(cost) as decimal(18, 4)) end as cost,
        case
            when count(unit_cost) = count(*) then cast(sum(profit) as decimal(18, 4))
        end as profit,
        count(distinct product_id) as distinct_products
    from order_lines
    group by order_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.channel,
        orders.store_id,
        orders.status,
        coalesce(order_totals.line_count, 0) as line_count,
        coalesce(order_totals.units, 0) as units,
        coalesce(order_totals.distinct_products, 0) as distinct_products,
        coalesce(order_totals.revenue, 0) as revenue,
        coalesce(order_totals.discount_amount, 0) as discount_amount,
        order_totals.cost,
        order_totals.profit,
        orders.status = 'completed' and coalesce(order_totals.line_count, 0) > 0 as is_purchase,
        coalesce(order_totals.discount_amount, 0) > 0 as has_discount,
        orders.channel = 'store' as is_store_visit,
        cast(orders.ordered_at as date) as order_date,
        orders.ordered_at
    from orders
    left join order_totals on orders.order_id = order_totals.order_id
)

select * from final

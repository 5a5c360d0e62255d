with

order_items as (
    select * from {{ ref('stg_order_items') }}
),

orders as (
    -- an incremental run reads only the look-back window (docs: incremental_lookback)
    select * from {{ ref('stg_orders') }}
    {{- lookback_filter('ordered_at') }}
),

products as (
    select * from {{ ref('stg_products') }}
),

line_kinds as (
    select * from {{ ref('int_product_line_kinds') }}
),

priced as (
    select
        order_items.order_id,
        order_items.line_number,
        orders.customer_id,
        order_items.product_id,
        orders.channel,
        orders.store_id,
        orders.status,
        order_items.quantity,
        order_items.unit_price,
        order_items.discount_amount,
        coalesce(order_items.unit_cost, products.unit_cost) as unit_cost,
        -- null when the price is unknown (a basket-only file): unknown, never 0
        order_items.quantity * order_items.unit_price - order_items.discount_amount as revenue,
        -- docs: return_line
        order_items.is_return_line or orders.is_cancellation_document as is_return_line,
        order_items.discount_amount > 0 as is_discounted,
        line_kinds.is_product as is_product_line,
        cast(orders.ordered_at as date) as order_date,
        orders.ordered_at
    from order_items
    inner join orders on order_items.order_id = orders.order_id
    left join products on order_items.product_id = products.product_id
    left join line_kinds on order_items.product_id = line_kinds.product_id
),

final as (
    select
        order_id,
        line_number,
        customer_id,
        product_id,
        channel,
        store_id,
        status,
        quantity,
        unit_price,
        discount_amount,
        unit_cost,
        cast(revenue as decimal(18, 4)) as revenue,
        cast({{ net_revenue('status', 'is_return_line', 'revenue') }} as decimal(18, 4))
            as net_revenue,
        cast(quantity * unit_cost as decimal(18, 4)) as cost,
        cast(revenue - quantity * unit_cost as decimal(18, 4)) as profit,
        status = 'completed' and not is_return_line as is_purchase,
        is_return_line,
        is_discounted,
        is_product_line,
        order_date,
        ordered_at
    from priced
)

select * from final

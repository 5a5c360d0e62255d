-- Stock health per product: units received and sold, the sold ratio and the dead-stock
-- flag, as of the as-of date. Non-product lines (postage, fees, ...) have no stock and
-- are left out, so they are never dead stock.

with

products as (
    select * from {{ ref('dim_products') }}
),

inventory as (
    select * from {{ ref('stg_inventory') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

receipts as (
    select
        product_id,
        sum(quantity_received) as units_received,
        max(received_on) as last_received_date
    from inventory
    where received_on < {{ as_of_date() }}
    group by product_id
),

sales as (
    select
        product_id,
        sum(quantity) filter (where is_purchase) as units_sold,
        sum(quantity) filter (
            where status != 'cancelled' and (is_return_line or status = 'returned')
        ) as units_returned,
        sum(revenue) filter (where is_purchase) as revenue,
        sum(profit) filter (where is_purchase) as profit,
        max(order_date) filter (where is_purchase) as last_sold_date
    from order_lines
    where ordered_at < {{ as_of_date() }}
    group by product_id
),

combined as (
    select
        products.product_id,
        products.product_name,
        products.category,
        coalesce(receipts.units_received, 0) as units_received,
        coalesce(sales.units_sold, 0) as units_sold,
        coalesce(sales.units_returned, 0) as units_returned,
        coalesce(sales.revenue, 0) as revenue,
        sales.profit,
        sales.last_sold_date,
        receipts.last_received_date
    from products
    left join receipts on products.product_id = receipts.product_id
    left join sales on products.product_id = sales.product_id
    where products.is_product
),

final as (
    select
        product_id,
        product_name,
        category,
        cast(units_received as bigint) as units_received,
        cast(units_sold as bigint) as units_sold,
        cast(units_returned as bigint) as units_returned,
        cast(greatest(units_received - units_sold, 0) as bigint) as unsold_units,
        cast(revenue as decimal(18, 4)) as revenue,
        cast(profit as decimal(18, 4)) as profit,
        units_sold / nullif(units_received, 0) as sold_ratio,
        date_diff('day', last_sold_date, {{ as_of_date() }}) as days_since_last_sale,
        coalesce(units_sold / nullif(units_received, 0) < {{ var('dead_stock_ratio') }}, false)
            as is_dead_stock,
        last_sold_date,
        last_received_date
    from combined
)

select * from final

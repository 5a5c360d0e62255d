-- Every product that is in the catalogue or was ordered or received.

with

products as (
    select * from {{ ref('stg_products') }}
),

order_items as (
    select * from {{ ref('stg_order_items') }}
),

inventory as (
    select * from {{ ref('stg_inventory') }}
),

known_ids as (
    select product_id from products
    union
    select product_id from order_items
    union
    select product_id from inventory
),

final as (
    select
        known_ids.product_id,
        products.product_name,
        products.category,
        products.list_price,
        products.unit_cost,
        products.product_id is not null as is_in_catalogue
    from known_ids
    left join products on known_ids.product_id = products.product_id
)

select * from final

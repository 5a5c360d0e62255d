-- Every product that is in the catalogue or was ordered or received, with whether it is a
-- product or a non-product line (postage, a fee, ...).

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

line_kinds as (
    select * from {{ ref('int_product_line_kinds') }}
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
        line_kinds.line_kind,
        products.list_price,
        products.unit_cost,
        products.product_id is not null as is_in_catalogue,
        line_kinds.is_product
    from known_ids
    left join products on known_ids.product_id = products.product_id
    left join line_kinds on known_ids.product_id = line_kinds.product_id
)

select * from final

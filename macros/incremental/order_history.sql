{#
    The inputs of the incremental order facts, as the look-back guard compares them with
    the rows already built (config `lookback_history`, macro `lookback_history_matches`):
    every column here is copied unchanged into the model, under the same name and type.
    `is_product_line` is here so that a change of the seed non_product_lines or of var
    exclude_non_product_lines rebuilds the rows before the window too.
#}

{% macro fct_order_lines_history() %}
    select
        order_items.order_id,
        order_items.line_number,
        order_items.product_id,
        order_items.quantity,
        order_items.unit_price,
        order_items.discount_amount,
        orders.customer_id,
        orders.status,
        orders.ordered_at,
        line_kinds.is_product as is_product_line
    from {{ ref('stg_order_items') }} as order_items
    inner join {{ ref('stg_orders') }} as orders on order_items.order_id = orders.order_id
    left join {{ ref('int_product_line_kinds') }} as line_kinds
        on order_items.product_id = line_kinds.product_id
{% endmacro %}


{% macro fct_orders_history() %}
    select
        orders.order_id,
        orders.customer_id,
        orders.status,
        orders.ordered_at,
        cast(coalesce(order_lines.line_count, 0) as bigint) as line_count,
        cast(coalesce(order_lines.revenue, 0) as decimal(18, 4)) as revenue
    from {{ ref('stg_orders') }} as orders
    left join (
        select
            order_id,
            count(*) as line_count,
            cast(sum(revenue) as decimal(18, 4)) as revenue
        from {{ ref('fct_order_lines') }}
        group by order_id
    ) as order_lines on orders.order_id = order_lines.order_id
{% endmacro %}

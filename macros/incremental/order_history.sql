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
        {{ order_status_with_returns('orders.status', 'order_lines.is_every_line_returned') }}
            as status,
        orders.ordered_at,
        cast(coalesce(order_lines.line_count, 0) as bigint) as line_count,
        -- as in the model: 0 without lines, null when a line's price is unknown
        cast(
            case when order_lines.order_id is null then 0 else order_lines.net_revenue end
            as decimal(18, 4)
        ) as net_revenue
    from {{ ref('stg_orders') }} as orders
    left join (
        select
            order_id,
            count(*) as line_count,
            bool_and(is_return_line) as is_every_line_returned,
            case
                when count(*) = count(net_revenue) then cast(sum(net_revenue) as decimal(18, 4))
            end as net_revenue
        from {{ ref('fct_order_lines') }}
        group by order_id
    ) as order_lines on orders.order_id = order_lines.order_id
{% endmacro %}

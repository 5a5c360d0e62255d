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


{#- The purchases as `int_purchases_with_gaps` copies them from fct_orders. -#}
{% macro int_purchases_with_gaps_history() %}
    select
        order_id,
        customer_id,
        net_revenue as revenue,
        is_store_visit,
        store_id,
        order_date,
        ordered_at
    from {{ ref('fct_orders') }}
    where is_purchase and customer_id is not null and ordered_at < {{ as_of_date(literal=true) }}
{% endmacro %}


{#- The orders and order lines `int_customer_order_totals` adds up, one hash per row of
    the columns it reads (its purchases are fct_orders' rows, so they are covered). -#}
{% macro int_customer_order_totals_history() %}
    select
        customer_id,
        ordered_at,
        {{ lookback_row_hash(
            'order_id, status, is_purchase, is_store_visit, revenue, returned_revenue, net_revenue'
        ) }} as row_hash
    from {{ ref('fct_orders') }}
    where customer_id is not null and ordered_at < {{ as_of_date(literal=true) }}
    union all
    select
        customer_id,
        ordered_at,
        {{ lookback_row_hash(
            'order_id, product_id, is_purchase, is_product_line, is_discounted'
        ) }} as row_hash
    from {{ ref('fct_order_lines') }}
    where customer_id is not null and ordered_at < {{ as_of_date(literal=true) }}
{% endmacro %}


{#- The purchase lines `int_customer_months` adds up, with their month. -#}
{% macro int_customer_months_history() %}
    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start,
        ordered_at,
        {{ lookback_row_hash('order_id, line_number, customer_id, revenue, cost, profit') }}
            as row_hash
    from {{ ref('fct_order_lines') }}
    where is_purchase and ordered_at < {{ as_of_date(literal=true) }}
{% endmacro %}


{#- The baskets as `int_basket_items` copies them from fct_order_lines. -#}
{% macro int_basket_items_history() %}
    select distinct
        order_id,
        product_id,
        ordered_at
    from {{ ref('fct_order_lines') }}
    where is_purchase and is_product_line and ordered_at < {{ as_of_date() }}
{% endmacro %}

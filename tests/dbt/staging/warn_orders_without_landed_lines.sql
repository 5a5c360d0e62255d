-- Orders staged without a single landed order line (staged or rejected), per landed file,
-- in a landing zone that has order lines: typically half an ingest (orders landed, their
-- lines not) or order lines landed from the wrong file. Warns, does not fail: an orders
-- file may come before its lines. Orders whose every line staging rejected are not
-- counted here (they have landed lines; see rejected_rows). "Got N results" is the number
-- of orders; the stored failures list them by file.
{{ config(
    severity='warn',
    store_failures=true,
    fail_calc='coalesce(sum(orders_without_lines), 0)',
) }}

with

landed_orders as (
    select * from {{ ref('base_orders') }}
),

landed_line_orders as (
    select distinct order_id from {{ ref('base_order_items') }}
    where order_id is not null
),

orders_without_lines as (
    -- an anti-join, not a correlated `not exists` over a CTE: DuckDB plans that one as a
    -- filtered cross product (minutes at a million lines)
    select
        landed_orders.order_id,
        landed_orders._source_file
    from landed_orders
    left join landed_line_orders
        on landed_orders.order_id = landed_line_orders.order_id
    where
        landed_orders.row_outcome = 'staged'
        and landed_line_orders.order_id is null
        and exists (select 1 from {{ ref('base_order_items') }})
),

final as (
    select
        _source_file as source_file,
        count(*) as orders_without_lines,
        min(order_id) as first_order_id
    from orders_without_lines
    group by _source_file
)

select * from final

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

landed_lines as (
    select * from {{ ref('base_order_items') }}
),

orders_without_lines as (
    select
        landed_orders.order_id,
        landed_orders._source_file
    from landed_orders
    where
        landed_orders.row_outcome = 'staged'
        and exists (select 1 from landed_lines)
        and not exists (
            select 1 from landed_lines
            where landed_lines.order_id = landed_orders.order_id
        )
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

with

validated as (
    select * from {{ ref('base_orders') }}
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        channel,
        store_id,
        -- a cancellation document (docs: cancellation_document) is a return
        case
            when {{ is_cancellation_document('order_id') }} then 'returned' else status
        end as status,
        {{ is_cancellation_document('order_id') }} as is_cancellation_document,
        customer_id is null as is_anonymous
    from validated
    where row_outcome = 'staged'
)

select * from final

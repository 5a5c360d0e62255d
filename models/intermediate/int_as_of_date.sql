-- The one date every time-relative figure is measured against: the var `as_of_date`
-- when set, else the day after the last landed order.

with

orders as (
    select * from {{ ref('stg_orders') }}
),

final as (
    select
        coalesce(
            {%- if var('as_of_date') %}
            cast('{{ var("as_of_date") }}' as date),
            {%- endif %}
            cast(max(ordered_at) as date) + 1
        ) as as_of_date
    from orders
)

select * from final

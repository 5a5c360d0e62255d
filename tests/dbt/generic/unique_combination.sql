{#
    The model has at most one row per combination of `columns` (its grain when the grain
    is several columns). Fails with one row per duplicated combination.
#}
{% test unique_combination(model, columns) %}

with

grouped as (
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
),

final as (
    select * from grouped
    where row_count > 1
)

select * from final

{% endtest %}

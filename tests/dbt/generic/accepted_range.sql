{#
    Every non-null value of the column lies between `min_value` and `max_value` (either
    may be omitted); `inclusive: false` excludes the bounds. Fails with the rows outside.
#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

with

outside as (
    select {{ column_name }} as out_of_range_value
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            false
            {%- if min_value is not none %}
            or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
            {%- endif %}
            {%- if max_value is not none %}
            or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
            {%- endif %}
        )
)

select * from outside

{% endtest %}

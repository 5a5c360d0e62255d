{#
    The as-of date as a scalar SQL expression, read from the one-row model
    `int_as_of_date`. Use it for every time-relative figure, never the wall clock:

        date_diff('day', last_purchase_date, {{ as_of_date() }}) as recency_days
#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('int_as_of_date') }})
{%- endmacro %}

{#
    Every non-null value of each column in `ranges` lies in its range: `ranges` maps a
    column to `min_value` and/or `max_value` (and `inclusive`, true unless false), as for
    `accepted_range`. One scan of the model for all the columns, instead of a test node
    per column. Fails with one row per column that has values outside its range: how
    many, and the smallest and largest value found.
#}
{% test accepted_ranges(model, ranges) %}

with

range_counts as (
    select
        {%- for column, bounds in ranges.items() %}
        {%- set inclusive = bounds.get('inclusive', true) %}
        sum(
            case
                when
                    false
                    {%- if bounds.get('min_value') is not none %}
                    or {{ column }} {{ '<' if inclusive else '<=' }} {{ bounds['min_value'] }}
                    {%- endif %}
                    {%- if bounds.get('max_value') is not none %}
                    or {{ column }} {{ '>' if inclusive else '>=' }} {{ bounds['max_value'] }}
                    {%- endif %}
                    then 1
                else 0
            end
        ) as outside_{{ loop.index }},
        cast(min({{ column }}) as {{ dbt.type_string() }}) as smallest_{{ loop.index }},
        cast(max({{ column }}) as {{ dbt.type_string() }}) as largest_{{ loop.index }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}
),

failing as (
    {{- failing_columns(
        'range_counts',
        ranges.keys() | list,
        [
            ('outside', 'rows_out_of_range'),
            ('smallest', 'smallest_value'),
            ('largest', 'largest_value'),
        ],
    ) }}
)

select * from failing

{% endtest %}

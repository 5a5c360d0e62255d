{#- The failing rows of a grouped column test (not_null_columns, accepted_ranges): one
    row per column of `columns` whose failure count in the one-row CTE `counts` is above
    0. `outputs` lists (prefix, alias) pairs: CTE column `<prefix>_<n>` of the n-th
    column becomes `alias`; the first pair is the failure count. -#}
{% macro failing_columns(counts, columns, outputs) %}
    {%- for column in columns %}
    {%- set index = loop.index %}
    select
        '{{ column }}' as column_name
        {%- for prefix, alias in outputs %},
        {{ prefix }}_{{ index }} as {{ alias }}
        {%- endfor %}
    from {{ counts }}
    where {{ outputs[0][0] }}_{{ index }} > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}

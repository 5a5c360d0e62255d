{#
    None of `column_names` has a null: one scan of the model for all of them, instead of
    a test node per column (each node costs dbt's fixed overhead). Fails with one row per
    column that has nulls, with how many. The grain keeps its own `unique` + `not_null`.
#}
{% test not_null_columns(model, column_names) %}

with

null_counts as (
    select
        {%- for column in column_names %}
        sum(case when {{ column }} is null then 1 else 0 end) as nulls_{{ loop.index }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}
),

failing as (
    {%- for column in column_names %}
    select
        '{{ column }}' as column_name,
        nulls_{{ loop.index }} as null_rows
    from null_counts
    where nulls_{{ loop.index }} > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from failing

{% endtest %}

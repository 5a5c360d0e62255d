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
    {{- failing_columns('null_counts', column_names, [('nulls', 'null_rows')]) }}
)

select * from failing

{% endtest %}

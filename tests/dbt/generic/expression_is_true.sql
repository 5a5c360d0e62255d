{#
    Every row of the model satisfies the SQL boolean `expression` (rows where it is
    false or null fail). `where` narrows the rows checked, as for any dbt test.
#}
{% test expression_is_true(model, expression) %}

with

failing as (
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
)

select * from failing

{% endtest %}

-- Per landing entity: the rows in its landing files, counted straight from the source.
-- `landing_reconciliation` compares them with staging's outcomes; the count lives here so
-- that only staging reads the landing zone.
{%- set entities = landing_entities() %}

with

{% for entity in entities %}
{{ entity }}_landed as (
    select * from {{ source('landing', entity) }}
),

{% endfor -%}
final as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        count(*) as landed_rows
    from {{ entity }}_landed
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
)

select * from final

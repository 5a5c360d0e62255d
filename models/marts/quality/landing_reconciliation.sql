-- Per landing entity: rows landed, staged, dropped as exact duplicates and rejected.
{%- set entities = landing_entities() %}

with

{% for entity in entities %}
{{ entity }}_landed as (
    select * from {{ source('landing', entity) }}
),

{{ entity }}_validated as (
    select * from {{ ref('base_' ~ entity) }}
),

{% endfor -%}
counted as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        (select count(*) from {{ entity }}_landed) as landed_rows,
        count(*) filter (where row_outcome = 'staged') as staged_rows,
        count(*) filter (where row_outcome = 'duplicate') as duplicate_rows,
        count(*) filter (where row_outcome = 'rejected') as rejected_rows,
        {%- if entity == 'orders' %}
        count(*) filter (where row_outcome = 'staged' and customer_id is null)
        {%- else %}
        cast(null as bigint)
        {%- endif %} as anonymous_rows
    from {{ entity }}_validated
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
),

final as (
    select
        entity,
        landed_rows,
        staged_rows,
        duplicate_rows,
        rejected_rows,
        anonymous_rows,
        landed_rows = staged_rows + duplicate_rows + rejected_rows as is_reconciled
    from counted
)

select * from final

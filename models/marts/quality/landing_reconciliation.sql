-- Per landing entity: rows landed, staged, dropped as exact duplicates and rejected.
{%- set entities = landing_entities() %}

with

landed as (
    select * from {{ ref('stg_landed_row_counts') }}
),

{% for entity in entities %}
{{ entity }}_validated as (
    select * from {{ ref('base_' ~ entity) }}
),

{% endfor -%}
counted as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
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
        counted.entity,
        landed.landed_rows,
        counted.staged_rows,
        counted.duplicate_rows,
        counted.rejected_rows,
        counted.anonymous_rows,
        landed.landed_rows
        = counted.staged_rows + counted.duplicate_rows + counted.rejected_rows as is_reconciled
    from counted
    inner join landed on counted.entity = landed.entity
)

select * from final

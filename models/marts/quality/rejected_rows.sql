-- Every landed row that staging rejected, across all entities, with its reason. The raw
-- values are shown without personal data (the contract's `pii` columns become a marker);
-- the full values are in the entity's staging.base_<entity>, in the private build file.
{%- set entities = landing_entities() %}

with

{% for entity in entities %}
{{ entity }}_rows as (
    select * from {{ ref('base_' ~ entity) }}
),

{% endfor -%}
rejected as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        _source_file as source_file,
        _source_row as source_row,
        reject_reason,
        {{ landing_raw_json_without_pii(entity) }} as raw_values
    from {{ entity }}_rows
    where row_outcome = 'rejected'
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
),

final as (
    select
        entity,
        source_file,
        source_row,
        reject_reason,
        split_part(reject_reason, ':', 1) as reject_rule,
        -- the rules that name a column; order_rejected:<reason> names the order's reason
        case
            when
                split_part(reject_reason, ':', 1) in (
                    'missing_required', 'unparseable', 'out_of_range'
                )
                then split_part(reject_reason, ':', 2)
        end as rejected_column,
        raw_values
    from rejected
)

select * from final

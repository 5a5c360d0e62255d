-- Pearson correlations between the numeric customer metrics of buying customers,
-- one row per pair of columns (document 001's correlation heat map).

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

{%- set columns = [
    'frequency', 'monetary', 'recency_days', 'active_days', 'avg_gap_days', 'store_visits',
    'unique_products', 'avg_order_value', 'email_opens',
] %}

{%- set pairs = [] %}
{%- for column_a in columns %}
    {%- for column_b in columns[loop.index:] %}
        {%- do pairs.append((column_a, column_b)) %}
    {%- endfor %}
{%- endfor %}

correlations as (
    {%- for column_a, column_b in pairs %}
        select
            '{{ column_a }}' as column_a,
            '{{ column_b }}' as column_b,
            corr(cast({{ column_a }} as double), cast({{ column_b }} as double)) as correlation,
            count({{ column_a }} * {{ column_b }}) as pair_count
        from metrics
        where has_purchased
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        column_a,
        column_b,
        -- a constant column has no correlation (DuckDB gives NaN): report null
        nullif(correlation, cast('nan' as double)) as correlation,
        pair_count
    from correlations
)

select * from final

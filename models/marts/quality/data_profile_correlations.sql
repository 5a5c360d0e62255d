-- Pearson correlations between the numeric customer metrics of buying customers,
-- one row per pair of columns, column_a < column_b (the EDA correlation heat map).

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

{#- every numeric metric, sorted so that each pair is listed once with column_a < column_b #}
{%- set columns = [
    'frequency', 'monetary', 'recency_days', 'active_days', 'distinct_purchase_days',
    'avg_gap_days', 'median_gap_days', 'last_gap_days', 'store_visits', 'store_visit_ratio',
    'unique_products', 'avg_order_value', 'email_opens',
] | sort %}

{%- set pairs = [] %}
{%- for column_a in columns %}
{%- for column_b in columns[loop.index:] %}
{%- do pairs.append((column_a, column_b)) %}
{%- endfor %}
{%- endfor %}

sums as (
    -- exact decimal sums over the customers where both metrics are known, so every build
    -- gives the same correlation (floating-point sums vary with thread order)
    {%- for column_a, column_b in pairs %}
    select
        '{{ column_a }}' as column_a,
        '{{ column_b }}' as column_b,
        count(*) as pair_count,
        sum(a) as sum_a,
        sum(b) as sum_b,
        sum(a * a) as sum_aa,
        sum(b * b) as sum_bb,
        sum(a * b) as sum_ab
    from (
        select
            cast({{ column_a }} as decimal(38, 6)) as a,
            cast({{ column_b }} as decimal(38, 6)) as b
        from metrics
        where has_purchased and {{ column_a }} is not null and {{ column_b }} is not null
    )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

correlations as (
    select
        column_a,
        column_b,
        pair_count,
        (pair_count * cast(sum_ab as double) - cast(sum_a as double) * cast(sum_b as double))
        / nullif(
            sqrt(pair_count * cast(sum_aa as double) - cast(sum_a as double) ^ 2)
            * sqrt(pair_count * cast(sum_bb as double) - cast(sum_b as double) ^ 2),
            0
        ) as correlation
    from sums
),

final as (
    select
        column_a,
        column_b,
        -- a constant column has no correlation: null
        least(greatest(correlation, -1), 1) as correlation,
        pair_count
    from correlations
)

select * from final

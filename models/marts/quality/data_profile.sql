-- The EDA summary: per numeric column of the customer metrics and the
-- orders, the count, missing values, moments, quartiles and IQR outliers.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

long_values as {{ materialized_cte() }} (
    {%- set metric_columns = [
        'frequency', 'monetary', 'recency_days', 'active_days', 'distinct_purchase_days',
        'avg_gap_days', 'median_gap_days', 'last_gap_days', 'store_visits',
        'store_visit_ratio', 'unique_products', 'avg_order_value', 'email_opens',
    ] %}
    {%- set order_columns = ['line_count', 'units', 'distinct_products', 'revenue', 'profit'] %}
    {%- for column in metric_columns %}
    select
        'customer_metrics' as table_name,
        '{{ column }}' as column_name,
        cast({{ column }} as decimal(38, 6)) as value
    from metrics
    union all
    {%- endfor %}
    {%- for column in order_columns %}
    select
        'fct_orders' as table_name,
        '{{ column }}' as column_name,
        cast({{ column }} as decimal(38, 6)) as value
    from orders
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

summarised as (
    select
        table_name,
        column_name,
        count(*) as row_count,
        count(*) - count(value) as missing_count,
        -- exact decimal sums (floating-point sums vary with the order threads add them)
        avg(value) as mean_value,
        sqrt(
            greatest(sum(value * value) - sum(value) * sum(value) / count(value), 0)
            / nullif(count(value) - 1, 0)
        ) as stddev_value,
        min(value) as min_value,
        quantile_cont(value, 0.25) as p25_value,
        median(value) as median_value,
        quantile_cont(value, 0.75) as p75_value,
        max(value) as max_value
    from long_values
    group by table_name, column_name
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
    select
        long_values.table_name,
        long_values.column_name,
        count(*) filter (
            where long_values.value < fences.lower_fence or long_values.value > fences.upper_fence
        ) as iqr_outlier_count
    from long_values
    inner join fences
        on
            long_values.table_name = fences.table_name
            and long_values.column_name = fences.column_name
    group by long_values.table_name, long_values.column_name
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

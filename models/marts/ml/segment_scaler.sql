-- The scaler of the segmentation features, one row: the mean and population standard
-- deviation of each log-scaled feature (ln(1 + x)) over every buying customer as of the
-- as-of date. The current segments and the segment history are scaled with it.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

logged as (
    select
        {{- segment_log_features() }}
    from metrics
    where has_purchased
),

final as (
    -- population standard deviation as sqrt(E[x²] − E[x]²), from exact decimal sums
    select
        {%- for feature in segment_features() %}
        avg(log_{{ feature }}) as {{ feature }}_mean,
        sqrt(greatest(avg(log_{{ feature }} * log_{{ feature }}) - avg(log_{{ feature }}) ^ 2, 0))
            as {{ feature }}_sd,
        {%- endfor %}
        count(*) as customer_count
    from logged
)

select * from final

-- Segmentation features of every buying customer: R, F, M, tenure and purchase gap,
-- log-scaled (ln(1 + x)) and standardised (mean 0, standard deviation 1), and whether the
-- customer is in the deterministic sample the KMeans model is fitted on.
{%- set features = ['recency', 'frequency', 'monetary', 'tenure', 'gap'] %}

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

logged as (
    -- decimals, so that the moments below are exact sums and every build gives the same
    -- bits (floating-point sums depend on the order parallel threads add them in)
    select
        customer_id,
        cast(ln(1 + recency_days) as decimal(38, 12)) as log_recency,
        cast(ln(1 + frequency) as decimal(38, 12)) as log_frequency,
        cast(ln(1 + greatest(monetary, 0)) as decimal(38, 12)) as log_monetary,
        cast(ln(1 + active_days) as decimal(38, 12)) as log_tenure,
        -- a one-order customer has no gap: use their tenure, the least it can be
        cast(ln(1 + coalesce(avg_gap_days, active_days)) as decimal(38, 12)) as log_gap
    from metrics
    where has_purchased
),

moments as (
    -- population standard deviation as sqrt(E[x²] − E[x]²), from exact decimal sums
    select
        {%- for feature in features %}
        avg(log_{{ feature }}) as {{ feature }}_mean,
        sqrt(greatest(avg(log_{{ feature }} * log_{{ feature }}) - avg(log_{{ feature }}) ^ 2, 0))
            as {{ feature }}_sd,
        {%- endfor %}
        count(*) as customer_count
    from logged
),

final as (
    select
        logged.customer_id,
        {%- for feature in features %}
        coalesce(
            (logged.log_{{ feature }} - moments.{{ feature }}_mean)
            / nullif(moments.{{ feature }}_sd, 0),
            0
        ) as {{ feature }}_scaled,
        {%- endfor %}
        row_number() over (
            order by hash(logged.customer_id || '{{ var("ml_seed") }}'), logged.customer_id
        ) <= {{ var('segment_fit_sample_size') }} as is_in_fit_sample
    from logged
    cross join moments
)

select * from final

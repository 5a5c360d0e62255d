-- Segmentation features of every buying customer: R, F, M, tenure and purchase gap,
-- log-scaled (ln(1 + x)) and standardised (mean 0, standard deviation 1), and whether the
-- customer is in the deterministic sample the KMeans model is fitted on.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

logged as (
    select
        customer_id,
        ln(1 + recency_days) as log_recency,
        ln(1 + frequency) as log_frequency,
        ln(1 + greatest(monetary, 0)) as log_monetary,
        ln(1 + active_days) as log_tenure,
        -- a one-order customer has no gap: use their tenure, the least it can be
        ln(1 + coalesce(avg_gap_days, active_days)) as log_gap
    from metrics
    where has_purchased
),

moments as (
    select
        avg(log_recency) as mean_recency,
        stddev_pop(log_recency) as sd_recency,
        avg(log_frequency) as mean_frequency,
        stddev_pop(log_frequency) as sd_frequency,
        avg(log_monetary) as mean_monetary,
        stddev_pop(log_monetary) as sd_monetary,
        avg(log_tenure) as mean_tenure,
        stddev_pop(log_tenure) as sd_tenure,
        avg(log_gap) as mean_gap,
        stddev_pop(log_gap) as sd_gap
    from logged
),

scaled as (
    select
        logged.customer_id,
        coalesce((logged.log_recency - moments.mean_recency) / nullif(moments.sd_recency, 0), 0)
            as recency_scaled,
        coalesce(
            (logged.log_frequency - moments.mean_frequency) / nullif(moments.sd_frequency, 0), 0
        ) as frequency_scaled,
        coalesce(
            (logged.log_monetary - moments.mean_monetary) / nullif(moments.sd_monetary, 0), 0
        ) as monetary_scaled,
        coalesce((logged.log_tenure - moments.mean_tenure) / nullif(moments.sd_tenure, 0), 0)
            as tenure_scaled,
        coalesce((logged.log_gap - moments.mean_gap) / nullif(moments.sd_gap, 0), 0)
            as gap_scaled
    from logged
    cross join moments
),

final as (
    select
        *,
        row_number() over (
            order by hash(customer_id || '{{ var("ml_seed") }}'), customer_id
        ) <= {{ var('segment_fit_sample_size') }} as is_in_fit_sample
    from scaled
)

select * from final

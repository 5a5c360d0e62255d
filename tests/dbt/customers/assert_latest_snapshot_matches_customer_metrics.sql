-- The snapshot at the as-of date is computed from running windows, customer_metrics by
-- aggregation: both must give every buyer the same recency, frequency and monetary value.

with

snapshots as (
    select * from {{ ref('churn_snapshots') }}
),

metrics as (
    select * from {{ ref('customer_metrics') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

latest as (
    select snapshots.*
    from snapshots
    inner join as_of on snapshots.cutoff_date = as_of.as_of_date
),

final as (
    select
        metrics.customer_id,
        metrics.recency_days,
        latest.recency_days as snapshot_recency_days,
        metrics.frequency,
        latest.frequency as snapshot_frequency,
        metrics.monetary,
        latest.monetary as snapshot_monetary
    from metrics
    full outer join latest on metrics.customer_id = latest.customer_id
    where
        -- a buyer without a snapshot, a snapshot of a non-buyer, or different figures
        metrics.has_purchased is distinct from (latest.customer_id is not null)
        or (
            latest.customer_id is not null
            and (
                metrics.recency_days is distinct from latest.recency_days
                or metrics.frequency is distinct from latest.frequency
                or metrics.monetary is distinct from latest.monetary
            )
        )
)

select * from final

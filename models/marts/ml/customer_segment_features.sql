-- Segmentation features of every buying customer: R, F, M, tenure and purchase gap,
-- log-scaled (ln(1 + x)) and standardised (mean 0, standard deviation 1) with
-- segment_scaler, and whether the customer is in the deterministic sample the KMeans
-- model is fitted on.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

scaler as (
    select * from {{ ref('segment_scaler') }}
),

logged as (
    select
        customer_id,
        {{- segment_log_features() }}
    from metrics
    where has_purchased
),

final as (
    select
        logged.customer_id,
        {{- segment_scaled_features('logged', 'scaler') }},
        row_number() over (
            order by hash(logged.customer_id || '{{ var("ml_seed") }}'), logged.customer_id
        ) <= {{ var('segment_fit_sample_size') }} as is_in_fit_sample
    from logged
    cross join scaler
)

select * from final

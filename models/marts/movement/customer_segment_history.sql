-- Each buying customer's RFM segment, persona and loyalty tier at every month end of the
-- history (docs: segment_history): point-in-time, from purchases on or before the month
-- end only. Incremental: a build adds the month ends not stored yet and keeps the rest.

with

purchases as (
    select * from {{ ref('fct_customer_purchases') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

periods as (
    select * from {{ ref('int_period_coverage') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

segment_cells as (
    select * from {{ ref('rfm_segment_cells') }}
),

scaler as (
    select * from {{ ref('segment_scaler') }}
),

centres as (
    select * from {{ ref('segment_centres') }}
),

customer_tiers as (
    select * from {{ ref('customer_tiers') }}
),

cutoffs as (
    -- the latest segment_history_months month ends the data covers to their last day (a
    -- month the as-of date falls in is partial: never stored); the cutoff is the next day
    select
        periods.period_end,
        periods.period_end + 1 as cutoff_date
    from periods
    cross join as_of
    where
        periods.period_grain = 'month'
        and periods.period_end < as_of.as_of_date
        and periods.period_end > {{ last_stored_period_end() }}
    qualify
        row_number() over (order by periods.period_end desc)
        <= {{ var('segment_history_months') }}
),

{{ point_in_time_history() }},

features as {{ materialized_cte() }} (
    select
        {{- point_in_time_features() }},
        period_end
    from history
),

rfm as (
    {{ rfm_scores('features', partition_by='cutoff_date') | indent(4) }}
),

logged as (
    select
        customer_id,
        cutoff_date,
        {{- segment_log_features() }}
    from features
),

scaled as (
    -- past month ends are scaled with the current scaler and assigned to the current
    -- centres (docs: segment_history)
    select
        logged.customer_id,
        logged.cutoff_date,
        {{- segment_scaled_features('logged', 'scaler') }}
    from logged
    cross join scaler
),

nearest as (
    {{ nearest_segment('scaled', 'centres', ['customer_id', 'cutoff_date']) | indent(4) }}
),

segment_tiers as (
    -- the tier the current tier rule gives each segment (docs: loyalty_tier)
    select distinct
        segment_id,
        tier
    from customer_tiers
),

final as (
    select
        rfm.customer_id,
        segment_cells.rfm_segment,
        centres.persona,
        segment_tiers.tier,
        nearest.segment_id,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.fm_score,
        rfm.recency_days,
        rfm.frequency,
        rfm.monetary,
        -- the rest of the churn model's features, for churn_score_history
        rfm.avg_order_value,
        rfm.avg_gap_days,
        rfm.last_gap_days,
        rfm.store_visits,
        rfm.active_days,
        rfm.period_end
    from rfm
    left join segment_cells
        on
            rfm.r_score = segment_cells.r_score
            and rfm.fm_score = segment_cells.fm_score
    left join nearest
        on
            rfm.customer_id = nearest.customer_id
            and rfm.cutoff_date = nearest.cutoff_date
    left join centres on nearest.segment_id = centres.segment_id
    left join segment_tiers on nearest.segment_id = segment_tiers.segment_id
)

select * from final

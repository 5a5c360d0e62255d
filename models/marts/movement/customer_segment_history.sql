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

features as (
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
        rfm.*,
        {{- segment_log_features() }}
    from rfm
),

scaled as (
    -- past month ends are scaled with the current scaler and assigned to the current
    -- centres (docs: segment_history)
    select
        logged.*,
        {{- segment_scaled_features('logged', 'scaler') }}
    from logged
    cross join scaler
),

centre_slots as (
    {{ centre_slots('centres') | indent(4) }}
),

distances as (
    select
        scaled.*,
        {{- centre_distances('scaled', 'centre_slots') }}
    from scaled
    cross join centre_slots
),

nearest as (
    select
        distances.*,
        {{- nearest_segment('distances') }}
    from distances
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
        nearest.customer_id,
        segment_cells.rfm_segment,
        centres.persona,
        segment_tiers.tier,
        nearest.segment_id,
        nearest.r_score,
        nearest.f_score,
        nearest.m_score,
        nearest.fm_score,
        nearest.recency_days,
        nearest.frequency,
        nearest.monetary,
        -- the rest of the churn model's features, for churn_score_history
        nearest.avg_order_value,
        nearest.avg_gap_days,
        nearest.last_gap_days,
        nearest.store_visits,
        nearest.active_days,
        nearest.period_end
    from nearest
    left join segment_cells
        on
            nearest.r_score = segment_cells.r_score
            and nearest.fm_score = segment_cells.fm_score
    left join centres on nearest.segment_id = centres.segment_id
    left join segment_tiers on nearest.segment_id = segment_tiers.segment_id
)

select * from final

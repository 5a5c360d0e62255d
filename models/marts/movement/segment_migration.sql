-- How customers move between segments: per kind of segment (RFM segment, persona, tier,
-- churn risk band)
-- and pair of consecutive month ends of the segment history, the customers in each
-- from → to pair and their share of the from segment (docs: segment_migration).
{%- set segment_kinds = ['rfm_segment', 'persona', 'tier', 'risk_band'] %}

with

history as (
    select * from {{ ref('customer_segment_history') }}
),

risk_band_history as (
    select * from {{ ref('customer_risk_band_history') }}
),

period_steps as (
    -- each month end not counted yet and the one before it (the table is append-only,
    -- like the history)
    select * from (
        select
            lag(period_end) over (order by period_end) as from_period_end,
            period_end as to_period_end
        from (select distinct period_end from history) as period_ends
    ) as steps
    where to_period_end > {{ last_stored_period_end('to_period_end') }}
),

memberships as (
    -- one row per customer and month end with their segment of each kind (the churn risk
    -- band is scored from the history, so every banded customer is in it)
    select
        history.customer_id,
        history.period_end,
        history.rfm_segment,
        history.persona,
        history.tier,
        risk_band_history.risk_band
    from history
    left join risk_band_history
        on
            history.customer_id = risk_band_history.customer_id
            and history.period_end = risk_band_history.period_end
    where history.period_end >= {{ last_stored_period_end('to_period_end') }}
),

step_combinations as {{ materialized_cte() }} (
    -- customers who had bought by the from month end (a customer in the history at one
    -- month end is in it at every later one), counted once per combination of their
    -- segments at both month ends: one join of the two month ends serves every kind
    select
        period_steps.from_period_end,
        period_steps.to_period_end,
        from_memberships.rfm_segment as from_rfm_segment,
        to_memberships.rfm_segment as to_rfm_segment,
        from_memberships.persona as from_persona,
        to_memberships.persona as to_persona,
        from_memberships.tier as from_tier,
        to_memberships.tier as to_tier,
        from_memberships.risk_band as from_risk_band,
        to_memberships.risk_band as to_risk_band,
        count(*) as customers
    from period_steps
    inner join memberships as from_memberships
        on period_steps.from_period_end = from_memberships.period_end
    inner join memberships as to_memberships
        on
            period_steps.to_period_end = to_memberships.period_end
            and from_memberships.customer_id = to_memberships.customer_id
    group by
        period_steps.from_period_end,
        period_steps.to_period_end,
        from_memberships.rfm_segment,
        to_memberships.rfm_segment,
        from_memberships.persona,
        to_memberships.persona,
        from_memberships.tier,
        to_memberships.tier,
        from_memberships.risk_band,
        to_memberships.risk_band
),

counted as (
    -- per kind, the moves between known segments
    {%- for segment_kind in segment_kinds %}
    select
        '{{ segment_kind }}' as segment_kind,
        from_{{ segment_kind }} as from_segment,
        to_{{ segment_kind }} as to_segment,
        sum(customers) as customers,
        from_period_end,
        to_period_end
    from step_combinations
    where from_{{ segment_kind }} is not null and to_{{ segment_kind }} is not null
    group by from_segment, to_segment, from_period_end, to_period_end
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        segment_kind,
        from_segment,
        to_segment,
        cast(customers as bigint) as customers,
        cast(sum(customers) over from_group as bigint) as from_segment_customers,
        cast(customers / sum(customers) over from_group as double) as share_ratio,
        from_segment = to_segment as is_same_segment,
        from_period_end,
        to_period_end
    from counted
    window from_group as (partition by segment_kind, from_period_end, from_segment)
)

select * from final

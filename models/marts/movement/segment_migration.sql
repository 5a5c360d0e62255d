-- How customers move between segments: per kind of segment (RFM segment, persona, tier,
-- churn risk band)
-- and pair of consecutive month ends of the segment history, the customers in each
-- from → to pair and their share of the from segment (docs: segment_migration).
{%- set segment_kinds = ['rfm_segment', 'persona', 'tier'] %}

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
    -- one row per customer, month end and kind of segment with a known segment
    {%- for segment_kind in segment_kinds %}
    select
        customer_id,
        '{{ segment_kind }}' as segment_kind,
        {{ segment_kind }} as segment,
        period_end
    from history
    where
        {{ segment_kind }} is not null
        and period_end >= {{ last_stored_period_end('to_period_end') }}
    union all
    {%- endfor %}
    select
        customer_id,
        'risk_band' as segment_kind,
        risk_band as segment,
        period_end
    from risk_band_history
    where
        risk_band is not null
        and period_end >= {{ last_stored_period_end('to_period_end') }}
),

moves as (
    -- customers who had bought by the from month end: a customer in the history at one
    -- month end is in it at every later one
    select
        from_memberships.segment_kind,
        from_memberships.segment as from_segment,
        to_memberships.segment as to_segment,
        period_steps.from_period_end,
        period_steps.to_period_end
    from period_steps
    inner join memberships as from_memberships
        on period_steps.from_period_end = from_memberships.period_end
    inner join memberships as to_memberships
        on
            period_steps.to_period_end = to_memberships.period_end
            and from_memberships.customer_id = to_memberships.customer_id
            and from_memberships.segment_kind = to_memberships.segment_kind
),

counted as (
    select
        segment_kind,
        from_segment,
        to_segment,
        count(*) as customers,
        from_period_end,
        to_period_end
    from moves
    group by segment_kind, from_segment, to_segment, from_period_end, to_period_end
),

final as (
    select
        segment_kind,
        from_segment,
        to_segment,
        customers,
        cast(sum(customers) over from_group as bigint) as from_segment_customers,
        cast(customers / sum(customers) over from_group as double) as share_ratio,
        from_segment = to_segment as is_same_segment,
        from_period_end,
        to_period_end
    from counted
    window from_group as (partition by segment_kind, from_period_end, from_segment)
)

select * from final

-- The incremental effect of each campaign: its contacted (treated) customers against its
-- control (holdout) customers, who were assigned to it but not contacted. Per campaign
-- (rfm_segment 'All segments') and per campaign × RFM segment where both groups of the
-- segment are large enough. Conversions and revenue are those of the attribution window
-- (campaign_contact_outcomes); the interval is the normal approximation described in the
-- docs block campaign_lift_method. Without enough controls the row's figures are
-- attributed (effect_basis), and every incremental figure is null.

{%- set min_contacts = var('campaign_lift_min_group_contacts') %}
{%- set z = var('campaign_lift_interval_z') %}

with

campaigns as (
    select * from {{ ref('stg_campaigns') }}
),

outcomes as (
    select * from {{ ref('campaign_contact_outcomes') }}
),

scoped as (
    -- each contact twice: in its campaign's total and in its RFM segment's row
    select
        campaign_id,
        'All segments' as rfm_segment,
        is_control,
        has_converted,
        window_revenue,
        contact_cost
    from outcomes

    union all

    select
        campaign_id,
        rfm_segment,
        is_control,
        has_converted,
        window_revenue,
        contact_cost
    from outcomes
),

groups as (
    select
        campaign_id,
        rfm_segment,
        count(*) filter (where not is_control) as treated_contacts,
        count(*) filter (where is_control) as control_contacts,
        count(*) filter (where not is_control and has_converted) as treated_conversions,
        count(*) filter (where is_control and has_converted) as control_conversions,
        -- revenue is unknown for a group where any contact's window revenue is unknown
        sum(window_revenue) filter (where not is_control) as treated_revenue,
        count(window_revenue) filter (where not is_control) as treated_known_revenue,
        sum(window_revenue) filter (where is_control) as control_revenue,
        count(window_revenue) filter (where is_control) as control_known_revenue,
        -- exact decimal sums of squares, not var_samp: a floating-point aggregate depends
        -- on the order of the rows, and the same data must give the same bits
        sum(cast(window_revenue * window_revenue as decimal(38, 8))) filter (
            where not is_control
        ) as treated_revenue_squares,
        sum(cast(window_revenue * window_revenue as decimal(38, 8))) filter (
            where is_control
        ) as control_revenue_squares,
        sum(contact_cost) filter (where not is_control) as cost
    from scoped
    group by campaign_id, rfm_segment
),

rates as (
    select
        *,
        treated_contacts >= {{ min_contacts }} and control_contacts >= {{ min_contacts }}
            as is_incremental,
        cast(treated_conversions as double) / nullif(treated_contacts, 0)
            as treated_conversion_ratio,
        cast(control_conversions as double) / nullif(control_contacts, 0)
            as control_conversion_ratio,
        case
            when treated_known_revenue = treated_contacts then
                treated_revenue / nullif(treated_contacts, 0)
        end as treated_revenue_per_contact,
        case
            when control_known_revenue = control_contacts then
                control_revenue / nullif(control_contacts, 0)
        end as control_revenue_per_contact,
        -- sample variances of the contacts' window revenue
        (
            cast(treated_revenue_squares as double)
            - cast(treated_revenue as double) * cast(treated_revenue as double)
            / treated_known_revenue
        ) / nullif(treated_known_revenue - 1, 0) as treated_revenue_variance,
        (
            cast(control_revenue_squares as double)
            - cast(control_revenue as double) * cast(control_revenue as double)
            / control_known_revenue
        ) / nullif(control_known_revenue - 1, 0) as control_revenue_variance
    from groups
    -- a segment's row only where both of its groups are large enough
    where
        rfm_segment = 'All segments'
        or (treated_contacts >= {{ min_contacts }} and control_contacts >= {{ min_contacts }})
),

lifts as (
    select
        *,
        case
            when is_incremental then
                treated_conversion_ratio - control_conversion_ratio
        end as conversion_lift_ratio,
        case when is_incremental then sqrt(
            treated_conversion_ratio * (1 - treated_conversion_ratio) / treated_contacts
            + control_conversion_ratio * (1 - control_conversion_ratio) / control_contacts
        ) end as conversion_lift_error,
        case
            when is_incremental then
                cast(treated_revenue_per_contact as double)
                - cast(control_revenue_per_contact as double)
        end as revenue_lift_per_contact,
        case when is_incremental then sqrt(
            treated_revenue_variance / treated_contacts
            + control_revenue_variance / control_contacts
        ) end as revenue_lift_error
    from rates
),

final as (
    select
        lifts.campaign_id,
        lifts.rfm_segment,
        campaigns.campaign_name,
        campaigns.channel,
        cast(campaigns.started_at as date) as started_date,
        case when lifts.is_incremental then 'incremental' else 'attributed' end as effect_basis,
        lifts.treated_contacts,
        lifts.control_contacts,
        lifts.treated_conversions,
        case when lifts.control_contacts > 0 then lifts.control_conversions end
            as control_conversions,
        lifts.treated_conversion_ratio,
        lifts.control_conversion_ratio,
        lifts.conversion_lift_ratio,
        lifts.conversion_lift_ratio - {{ z }} * lifts.conversion_lift_error
            as conversion_lift_low_ratio,
        lifts.conversion_lift_ratio + {{ z }} * lifts.conversion_lift_error
            as conversion_lift_high_ratio,
        lifts.conversion_lift_ratio * lifts.treated_contacts as incremental_conversions,
        (lifts.conversion_lift_ratio - {{ z }} * lifts.conversion_lift_error)
        * lifts.treated_contacts as incremental_conversions_low,
        (lifts.conversion_lift_ratio + {{ z }} * lifts.conversion_lift_error)
        * lifts.treated_contacts as incremental_conversions_high,
        cast(lifts.treated_revenue_per_contact as decimal(18, 4)) as treated_revenue_per_contact,
        cast(lifts.control_revenue_per_contact as decimal(18, 4)) as control_revenue_per_contact,
        cast(lifts.revenue_lift_per_contact as decimal(18, 4)) as revenue_lift_per_contact,
        cast(
            lifts.revenue_lift_per_contact - {{ z }} * lifts.revenue_lift_error
            as decimal(18, 4)
        ) as revenue_lift_per_contact_low,
        cast(
            lifts.revenue_lift_per_contact + {{ z }} * lifts.revenue_lift_error
            as decimal(18, 4)
        ) as revenue_lift_per_contact_high,
        cast(lifts.treated_revenue as decimal(18, 4)) as attributed_revenue,
        cast(lifts.revenue_lift_per_contact * lifts.treated_contacts as decimal(18, 4))
            as incremental_revenue,
        cast(
            (lifts.revenue_lift_per_contact - {{ z }} * lifts.revenue_lift_error)
            * lifts.treated_contacts as decimal(18, 4)
        ) as incremental_revenue_low,
        cast(
            (lifts.revenue_lift_per_contact + {{ z }} * lifts.revenue_lift_error)
            * lifts.treated_contacts as decimal(18, 4)
        ) as incremental_revenue_high,
        cast(lifts.cost as decimal(18, 4)) as cost,
        cast(
            (lifts.treated_revenue - lifts.cost) / nullif(lifts.cost, 0) * 100 as double
        ) as attributed_roi_pct,
        (lifts.revenue_lift_per_contact * lifts.treated_contacts - cast(lifts.cost as double))
        / nullif(cast(lifts.cost as double), 0) * 100 as incremental_roi_pct,
        -- only for a positive effect: a cost per conversion the campaign did not add is
        -- meaningless
        cast(case
            when lifts.conversion_lift_ratio > 0 then
                cast(lifts.cost as double) / (lifts.conversion_lift_ratio * lifts.treated_contacts)
        end as decimal(18, 4)) as cost_per_incremental_conversion
    from lifts
    left join campaigns on lifts.campaign_id = campaigns.campaign_id
)

select * from final

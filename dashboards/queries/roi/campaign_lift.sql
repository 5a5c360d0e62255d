-- Each campaign's effect: incremental against its control group, else attributed.
select
    campaign_id,
    campaign_name,
    channel,
    effect_basis,
    treated_contacts,
    control_contacts,
    treated_conversion_ratio,
    control_conversion_ratio,
    conversion_lift_ratio,
    conversion_lift_low_ratio,
    conversion_lift_high_ratio,
    incremental_conversions,
    incremental_revenue,
    incremental_revenue_low,
    incremental_revenue_high,
    attributed_revenue,
    cost,
    incremental_roi_pct,
    attributed_roi_pct,
    cost_per_incremental_conversion
from marts.campaign_lift
where rfm_segment = 'All segments'
order by campaign_id

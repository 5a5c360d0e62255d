-- The incremental effect per campaign and RFM segment, where both groups are large enough.
select
    campaign_id,
    rfm_segment,
    treated_contacts,
    control_contacts,
    conversion_lift_ratio,
    conversion_lift_low_ratio,
    conversion_lift_high_ratio,
    incremental_revenue,
    incremental_revenue_low,
    incremental_revenue_high,
    cost_per_incremental_conversion
from marts.campaign_lift
where rfm_segment != 'All segments'
order by campaign_id, rfm_segment

-- Attributed conversions per campaign and the contacted customers' RFM segment.
select
    campaign_id,
    campaign_name,
    rfm_segment,
    contacts,
    conversions,
    revenue
from marts.campaign_performance
order by campaign_id, rfm_segment

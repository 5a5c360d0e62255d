-- Expected value of a retention campaign per RFM segment.
select
    rfm_segment,
    customers,
    monetary,
    value_at_risk,
    expected_saved_value,
    retention_cost,
    net_expected_value,
    roi_pct
from marts.retention_roi_by_segment
order by value_at_risk desc, rfm_segment

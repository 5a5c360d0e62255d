-- Expected value of a retention campaign per RFM segment.
select
    rfm_segment,
    customers,
    monetary,
    expected_value_lost,
    expected_saved_value,
    retention_cost,
    net_expected_value,
    roi_pct
from marts.retention_roi_by_segment
order by expected_value_lost desc, rfm_segment

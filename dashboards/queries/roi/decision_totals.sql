-- The retention decision over every scored buyer: the risk bands partition them.
select
    sum(customers) as customers,
    sum(expected_saved_value) as expected_saved_value,
    sum(retention_cost) as retention_cost,
    sum(net_expected_value) as net_expected_value
from marts.retention_roi_by_risk_band
having count(*) > 0

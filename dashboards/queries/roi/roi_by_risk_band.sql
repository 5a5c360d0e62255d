-- Expected value of a retention campaign per churn risk band.
select
    risk_band,
    customers,
    monetary,
    expected_value_lost,
    expected_saved_value,
    retention_cost,
    net_expected_value,
    roi_pct
from marts.retention_roi_by_risk_band
order by expected_value_lost desc, risk_band

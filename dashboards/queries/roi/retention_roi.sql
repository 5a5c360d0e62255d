-- The Pulse retention ROI formula: top spenders with a high churn probability.
select
    targeted_customers,
    total_value,
    retention_cost,
    net_profit,
    roi_pct,
    top_monetary_share,
    min_churn_probability,
    retention_cost_ratio
from marts.retention_roi

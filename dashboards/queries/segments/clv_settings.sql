-- How the customer lifetime value was fitted and over which horizons (one row).
select
    purchase_fit_status,
    value_fit_status,
    fit_sample_customers,
    horizon_days,
    clv_horizon_months,
    monthly_discount_rate
from ml.clv_parameters

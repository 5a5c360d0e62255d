-- The current churn model's reliability curve on its test rows: per bin of predicted
-- probability, the mean prediction against the observed churn rate.
select
    bin_number,
    lower_probability,
    upper_probability,
    customers,
    mean_probability,
    observed_churn_rate,
    is_calibrated
from ml.churn_calibration
where is_current
order by bin_number

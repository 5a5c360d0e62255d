-- Monthly revenue of all customers with the forecast months and their prediction
-- interval (ml.sales_forecast); the chosen model and its held-out figures against the
-- naive forecast are on every row. Partial months and months with unpriced lines are
-- actual months the forecast was not fitted on.
select
    month_start,
    is_forecast,
    forecast_model,
    revenue,
    predicted_revenue,
    predicted_revenue_lower,
    predicted_revenue_upper,
    prediction_interval_ratio,
    holdout_mape,
    naive_holdout_mape,
    skill_over_naive,
    holdout_r2,
    training_months,
    validation_months,
    holdout_months,
    price_coverage_ratio,
    covered_days,
    period_days,
    is_partial_period
from ml.sales_forecast
where series = 'All customers'
order by month_start

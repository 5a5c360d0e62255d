-- Monthly revenue of all customers with the forecast months (ml.sales_forecast); partial
-- months and months with unpriced lines are actual months the forecast was not fitted on.
select
    month_start,
    is_forecast,
    revenue,
    predicted_revenue,
    holdout_r2,
    holdout_mape,
    training_months,
    price_coverage_ratio,
    covered_days,
    period_days,
    is_partial_period
from ml.sales_forecast
where series = 'All customers'
order by month_start

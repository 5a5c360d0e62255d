-- Monthly revenue of all customers with the forecast months (ml.sales_forecast).
select
    month_start,
    is_forecast,
    revenue,
    predicted_revenue,
    holdout_r2,
    holdout_mape,
    training_months
from ml.sales_forecast
where series = 'All customers'
order by month_start

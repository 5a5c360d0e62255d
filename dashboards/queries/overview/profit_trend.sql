-- Revenue and profit per month, quarter and year (marts.profit_trend).
select
    period_grain,
    period_start,
    purchases,
    revenue,
    profit,
    active_customers,
    new_customers
from marts.profit_trend
order by period_grain, period_start

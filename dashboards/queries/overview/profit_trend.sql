-- Revenue and profit per month, quarter and year (marts.profit_trend), with the share of
-- lines with a price and of revenue with a cost, and whether the data covers the period.
select
    period_grain,
    period_start,
    purchases,
    revenue,
    profit,
    price_coverage_ratio,
    cost_coverage_ratio,
    active_customers,
    new_customers,
    covered_days,
    period_days,
    is_partial_period
from marts.profit_trend
order by period_grain, period_start

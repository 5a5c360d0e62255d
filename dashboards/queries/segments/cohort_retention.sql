-- Retention of the latest monthly acquisition cohorts in their first months: a year of
-- cohorts (the last 12 cohort months) × their first 12 months (months 0–11 since the first
-- purchase).
select
    cohort_month,
    months_since_first_purchase,
    cohort_customers,
    active_customers,
    retention_ratio,
    revenue,
    is_partial_month,
    is_partial_cohort_month
from marts.cohort_retention
where
    cohort_month > (select max(cohort_month) - interval 12 month from marts.cohort_retention)
    and months_since_first_purchase < 12
order by cohort_month, months_since_first_purchase

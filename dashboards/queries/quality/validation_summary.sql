-- Expectations of the latest `customer360 validate` run per suite and severity
-- (counts only: observed values can hold personal data); validation_results.parquet
-- holds that run only.
select
    run_id,
    as_of_date,
    suite,
    severity,
    count(*) as expectations,
    count(*) filter (where success) as passed,
    count(*) filter (where not success) as failed,
    coalesce(sum(unexpected_count) filter (where not success), 0) as unexpected_rows
from read_parquet($validation_results)
group by run_id, as_of_date, suite, severity
order by suite, severity

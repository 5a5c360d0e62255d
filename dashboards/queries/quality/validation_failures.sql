-- The failed expectations of the latest `customer360 validate` run (no observed values);
-- validation_results.parquet holds that run only.
select
    suite,
    table_name,
    expectation,
    column_name,
    severity,
    unexpected_count
from read_parquet($validation_results)
where not success
order by severity, suite, table_name, expectation, column_name
limit 200

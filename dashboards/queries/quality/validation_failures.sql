-- The failed expectations of the latest `customer360 validate` run (no observed values).
with

results as (
    select * from read_parquet($validation_results)
),

latest as (
    select * from results
    where run_id = (select max(results.run_id) from results)
)

select
    suite,
    table_name,
    expectation,
    column_name,
    severity,
    unexpected_count
from latest
where not success
order by severity, suite, table_name, expectation, column_name
limit 200

-- Summary statistics, missing values and outliers per profiled column.
select
    table_name,
    column_name,
    row_count,
    missing_count,
    missing_ratio,
    mean_value,
    stddev_value,
    min_value,
    p25_value,
    median_value,
    p75_value,
    max_value,
    iqr_outlier_count
from marts.data_profile
order by table_name, column_name

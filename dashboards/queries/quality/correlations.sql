-- Pearson correlations between the customer metrics.
select
    column_a,
    column_b,
    correlation,
    pair_count
from marts.data_profile_correlations
order by column_a, column_b

-- Customers per churn-probability bucket (20 buckets of 0.05) and risk band.
with

predictions as (
    select * from marts.churn_predictions
),

bucketed as (
    select
        risk_band,
        least(floor(churn_probability * 20), 19) / 20 as bucket_start
    from predictions
    where churn_probability is not null
)

select
    risk_band,
    bucket_start,
    count(*) as customers
from bucketed
group by risk_band, bucket_start
order by risk_band, bucket_start

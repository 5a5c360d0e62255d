-- How many customers are in the high risk band, and their value.
select
    count(*) as customers,
    coalesce(sum(monetary), 0) as monetary
from marts.customer_360
where risk_band = 'high'

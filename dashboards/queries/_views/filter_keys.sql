-- The values of the segment filter each customer belongs to: '' (all customers),
-- 'persona:<persona>' and 'rfm_segment:<segment>'. Created as a temporary view before the
-- pages' queries run, so every chart the filter redraws uses the same definition.
select
    customer_id,
    '' as filter_key
from marts.customer_360
union all
select
    customer_id,
    'persona:' || persona as filter_key
from marts.customer_360
where persona is not null
union all
select
    customer_id,
    'rfm_segment:' || rfm_segment as filter_key
from marts.customer_360
where rfm_segment is not null

-- The RFM segments: size, value, averages and the rule's description and action.
select
    rfm_segment,
    segment_description,
    recommended_action,
    count(*) as customers,
    sum(monetary) as monetary,
    avg(recency_days) as avg_recency_days,
    avg(frequency) as avg_frequency,
    avg(monetary) as avg_monetary
from marts.customer_rfm
group by rfm_segment, segment_description, recommended_action
order by customers desc, rfm_segment

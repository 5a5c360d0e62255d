-- The KMeans personas: size, shares, average figures and the recommended action.
select
    segment_id,
    persona,
    persona_description,
    recommended_action,
    customers,
    customer_share_ratio,
    revenue_share_ratio,
    avg_recency_days,
    avg_frequency,
    avg_monetary,
    avg_order_value,
    avg_active_days,
    avg_gap_days
from marts.segment_profiles
order by segment_id

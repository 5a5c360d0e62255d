-- Web sessions in one row: sessions, page views and identified visitors.
select
    count(*) as sessions,
    coalesce(sum(page_views), 0) as page_views,
    count(*) filter (where is_identified) as identified_sessions,
    count(distinct customer_id) as identified_customers,
    min(session_date) as first_session_date,
    max(session_date) as last_session_date
from marts.fct_device_sessions

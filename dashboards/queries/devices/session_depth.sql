-- Sessions per number of page views (10 and more together) and device type.
select
    device_type,
    least(page_views, 10) as page_views_bucket,
    count(*) as sessions,
    sum(session_seconds) as session_seconds
from marts.fct_device_sessions
group by device_type, least(page_views, 10)
order by device_type, page_views_bucket

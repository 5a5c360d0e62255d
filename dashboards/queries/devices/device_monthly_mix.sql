-- Sessions per month and device type.
select
    cast(date_trunc('month', session_date) as date) as month_start,
    device_type,
    sum(sessions) as sessions,
    sum(page_views) as page_views
from marts.device_daily_mix
group by cast(date_trunc('month', session_date) as date), device_type
order by month_start, device_type

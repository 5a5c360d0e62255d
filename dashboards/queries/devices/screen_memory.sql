-- Sessions per device type, screen class and memory class.
select
    device_type,
    screen_class,
    memory_class,
    sum(sessions) as sessions,
    sum(page_views) as page_views,
    sum(identified_sessions) as identified_sessions
from marts.device_daily_mix
group by device_type, screen_class, memory_class
order by device_type, screen_class, memory_class

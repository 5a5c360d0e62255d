-- Sessions and visitors per day, with the device-type shares.
select
    session_date,
    sessions,
    visitors,
    identified_share_ratio,
    phone_share_ratio,
    tablet_share_ratio,
    desktop_share_ratio,
    other_share_ratio
from marts.device_daily_summary
order by session_date

-- Customers moving between segments from the second-last to the last month end of the
-- segment history: per kind of segment, each from → to pair's customers and share.
select
    segment_kind,
    from_segment,
    to_segment,
    customers,
    from_segment_customers,
    share_ratio,
    from_period_end,
    to_period_end
from marts.segment_migration
where to_period_end = (select max(to_period_end) from marts.segment_migration)
order by segment_kind, from_segment, to_segment

-- Rejected landing rows per entity and reason (counts only: raw values can hold
-- personal data and never reach the dashboards).
select
    entity,
    reject_reason,
    reject_rule,
    count(*) as rejected_rows,
    count(distinct source_file) as files
from marts.rejected_rows
group by entity, reject_reason, reject_rule
order by entity, rejected_rows desc, reject_reason

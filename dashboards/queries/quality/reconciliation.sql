-- Landed = staged + duplicates + rejected, per entity.
select
    entity,
    landed_rows,
    staged_rows,
    duplicate_rows,
    rejected_rows,
    is_reconciled
from marts.landing_reconciliation
order by entity

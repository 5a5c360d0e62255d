-- Nothing lost: for every entity, landed rows = staged + exact duplicates + rejected.
-- Fails with the entities that do not add up.

with

reconciliation as (
    select * from {{ ref('landing_reconciliation') }}
),

final as (
    select
        entity,
        landed_rows,
        staged_rows,
        duplicate_rows,
        rejected_rows
    from reconciliation
    where landed_rows != staged_rows + duplicate_rows + rejected_rows
)

select * from final

-- The elbow chart behind the choice of k: inertia and silhouette per k, with the knee.
-- Compile with `dbt compile --select segment_elbow` and run the SQL in any client.

with

k_selection as (
    select * from {{ ref('segment_k_selection') }}
),

final as (
    select
        k,
        inertia,
        silhouette,
        is_chosen,
        inertia / first_value(inertia) over (order by k) as inertia_share_of_k_min
    from k_selection
)

select * from final
order by k

-- At most 5000 customers of the PCA scatter, chosen deterministically by hashed id;
-- population says how many customers there are in all.
with

segments as (
    select * from marts.customer_segments
),

sampled as (
    select
        persona,
        pc1,
        pc2,
        count(*) over () as population
    from segments
    where pc1 is not null and pc2 is not null
    order by hash(customer_id), customer_id
    limit 5000
)

select * from sampled
order by persona, pc1, pc2

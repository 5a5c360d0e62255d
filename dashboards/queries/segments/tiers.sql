-- Loyalty tiers and their rewards, with the personas they come from.
select
    tier,
    tier_rank,
    reward,
    discount_pct,
    perk,
    string_agg(distinct persona, ', ' order by persona) as personas,
    count(*) as customers
from marts.customer_tiers
group by tier, tier_rank, reward, discount_pct, perk
order by tier_rank, tier

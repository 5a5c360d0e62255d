-- Loyalty tiers: segments ranked by average monetary value map onto
-- Platinum, Gold, Silver and Bronze, with the reward of each tier.

with

segments as (
    select * from {{ ref('customer_segments') }}
),

profiles as (
    select * from {{ ref('segment_profiles') }}
),

tiers as (
    select * from {{ ref('loyalty_tiers') }}
),

ranked as (
    select
        segment_id,
        row_number() over (order by avg_monetary desc, segment_id asc) as value_rank,
        count(*) over () as segment_count,
        (select count(*) from tiers) as tier_count
    from profiles
),

tiered as (
    -- with k segments and 4 tiers, the k value ranks are spread evenly over the tiers
    select
        segment_id,
        value_rank,
        cast(1 + floor((value_rank - 1) * tier_count / segment_count) as integer) as tier_rank
    from ranked
),

final as (
    select
        segments.customer_id,
        segments.segment_id,
        segments.persona,
        tiers.tier,
        tiers.reward,
        tiers.discount_pct,
        tiers.perk,
        tiered.tier_rank,
        tiered.value_rank as segment_value_rank
    from segments
    inner join tiered on segments.segment_id = tiered.segment_id
    inner join tiers on tiered.tier_rank = tiers.tier_rank
)

select * from final

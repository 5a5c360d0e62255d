-- Attributed campaign results over all contacted segments (every window purchase credited).
with

performance as (
    select * from marts.campaign_performance
),

final as (
    select
        campaign_id,
        campaign_name,
        channel,
        sum(contacts) as contacts,
        sum(opens) as opens,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(revenue) as revenue,
        sum(cost) as cost,
        (sum(revenue) - sum(cost)) / nullif(sum(cost), 0) * 100 as roi_pct,
        sum(cost) / nullif(sum(conversions), 0) as cost_per_retained_customer
    from performance
    group by campaign_id, campaign_name, channel
)

select * from final
order by campaign_id

with

validated as (
    select * from {{ ref('base_campaigns') }}
),

final as (
    select
        campaign_id,
        campaign_name,
        channel,
        target_segment,
        offer_discount_pct,
        started_at,
        ended_at,
        cost
    from validated
    where row_outcome = 'staged'
)

select * from final

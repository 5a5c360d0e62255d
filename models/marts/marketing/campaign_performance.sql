-- Campaign results per campaign and RFM segment (attributed campaign ROI): contacts,
-- opens, clicks, conversions (campaign_contact_outcomes: a purchase within
-- `campaign_attribution_days` after the contact), revenue, cost, ROI and cost per retained
-- customer. Control (holdout) customers were not contacted and are left out; the
-- campaign's incremental effect against them is campaign_lift.

with

campaigns as (
    select * from {{ ref('stg_campaigns') }}
),

outcomes as (
    select * from {{ ref('campaign_contact_outcomes') }}
),

email_events as (
    select * from {{ ref('stg_email_events') }}
),

engagement as (
    select
        campaign_id,
        customer_id,
        bool_or(event_type = 'open') as has_opened,
        bool_or(event_type = 'click') as has_clicked
    from email_events
    where campaign_id is not null
    group by campaign_id, customer_id
),

responses as (
    select
        outcomes.campaign_id,
        outcomes.rfm_segment,
        outcomes.contact_cost,
        outcomes.window_revenue,
        outcomes.has_converted,
        coalesce(engagement.has_opened, false) as has_opened,
        coalesce(engagement.has_clicked, false) as has_clicked
    from outcomes
    left join engagement
        on
            outcomes.campaign_id = engagement.campaign_id
            and outcomes.customer_id = engagement.customer_id
    where not outcomes.is_control
),

final as (
    select
        responses.campaign_id,
        responses.rfm_segment,
        any_value(campaigns.campaign_name) as campaign_name,
        any_value(campaigns.channel) as channel,
        count(*) as contacts,
        count(*) filter (where responses.has_opened) as opens,
        count(*) filter (where responses.has_clicked) as clicks,
        count(*) filter (where responses.has_converted) as conversions,
        cast(sum(responses.window_revenue) as decimal(18, 4)) as revenue,
        cast(sum(responses.contact_cost) as decimal(18, 4)) as cost,
        (sum(responses.window_revenue) - sum(responses.contact_cost))
        / nullif(sum(responses.contact_cost), 0) * 100 as roi_pct,
        cast(
            sum(responses.contact_cost)
            / nullif(count(*) filter (where responses.has_converted), 0)
            as decimal(18, 4)
        ) as cost_per_retained_customer,
        cast(any_value(campaigns.started_at) as date) as started_date
    from responses
    left join campaigns on responses.campaign_id = campaigns.campaign_id
    group by responses.campaign_id, responses.rfm_segment
)

select * from final

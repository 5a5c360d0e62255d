-- Campaign results per campaign and RFM segment (campaign ROI): contacts, opens,
-- clicks, conversions (a purchase within `campaign_attribution_days` after the contact),
-- revenue, cost, ROI and cost per retained customer.

{%- set window = var('campaign_attribution_days') %}

with

campaigns as (
    select * from {{ ref('stg_campaigns') }}
),

contacts as (
    select * from {{ ref('stg_campaign_contacts') }}
),

email_events as (
    select * from {{ ref('stg_email_events') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

customers as (
    select * from {{ ref('customer_360') }}
),

contact_costs as (
    -- a contact's own cost, else an equal share of the campaign's cost
    select
        contacts.campaign_id,
        contacts.customer_id,
        contacts.contacted_at,
        -- decimals, so sums are exact and every build gives the same bits
        cast(coalesce(
            contacts.cost,
            campaigns.cost / count(*) over (partition by contacts.campaign_id)
        ) as decimal(18, 6)) as contact_cost
    from contacts
    left join campaigns on contacts.campaign_id = campaigns.campaign_id
    where contacts.contacted_at < {{ as_of_date() }}
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

attributed as (
    select
        contact_costs.campaign_id,
        contact_costs.customer_id,
        contact_costs.contacted_at,
        coalesce(sum(orders.revenue), 0) as attributed_revenue
    from contact_costs
    left join orders
        on
            contact_costs.customer_id = orders.customer_id
            and orders.is_purchase
            and contact_costs.contacted_at <= orders.ordered_at
            and contact_costs.contacted_at + interval {{ window }} day > orders.ordered_at
    group by contact_costs.campaign_id, contact_costs.customer_id, contact_costs.contacted_at
),

responses as (
    select
        contact_costs.campaign_id,
        contact_costs.customer_id,
        contact_costs.contact_cost,
        attributed.attributed_revenue,
        coalesce(engagement.has_opened, false) as has_opened,
        coalesce(engagement.has_clicked, false) as has_clicked
    from contact_costs
    inner join attributed
        on
            contact_costs.campaign_id = attributed.campaign_id
            and contact_costs.customer_id = attributed.customer_id
            and contact_costs.contacted_at = attributed.contacted_at
    left join engagement
        on
            contact_costs.campaign_id = engagement.campaign_id
            and contact_costs.customer_id = engagement.customer_id
),

final as (
    select
        responses.campaign_id,
        coalesce(customers.rfm_segment, 'Not segmented') as rfm_segment,
        any_value(campaigns.campaign_name) as campaign_name,
        any_value(campaigns.channel) as channel,
        count(*) as contacts,
        count(*) filter (where responses.has_opened) as opens,
        count(*) filter (where responses.has_clicked) as clicks,
        count(*) filter (where responses.attributed_revenue > 0) as conversions,
        cast(sum(responses.attributed_revenue) as decimal(18, 4)) as revenue,
        cast(sum(responses.contact_cost) as decimal(18, 4)) as cost,
        (sum(responses.attributed_revenue) - sum(responses.contact_cost))
        / nullif(sum(responses.contact_cost), 0) * 100 as roi_pct,
        cast(
            sum(responses.contact_cost)
            / nullif(count(*) filter (where responses.attributed_revenue > 0), 0)
            as decimal(18, 4)
        ) as cost_per_retained_customer,
        cast(any_value(campaigns.started_at) as date) as started_date
    from responses
    left join campaigns on responses.campaign_id = campaigns.campaign_id
    left join customers on responses.customer_id = customers.customer_id
    group by responses.campaign_id, coalesce(customers.rfm_segment, 'Not segmented')
)

select * from final

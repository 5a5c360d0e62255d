-- A personalised retention offer for every customer: the first matching rule of the seed
-- `offer_rules`, the message from `offer_message_templates`, and the widget fields. The
-- rules' language (`*`, `none`, a rule without a discount) is the docs block
-- `retention_offer` (_marketing__docs.md); tests/unit/test_offer_rules.py runs the match
-- condition below over the seeds to prove every rule can fire.

with

customers as (
    select * from {{ ref('customer_360') }}
),

contacts as (
    select * from {{ ref('stg_customers') }}
),

rules as (
    select * from {{ ref('offer_rules') }}
),

templates as (
    select * from {{ ref('offer_message_templates') }}
),

tiers as (
    select * from {{ ref('loyalty_tiers') }}
),

matched as (
    select
        customers.customer_id,
        min(rules.rule_order) as rule_order
    from customers
    inner join rules
        on
            rules.rfm_segment in ('*', coalesce(customers.rfm_segment, 'none'))
            and rules.risk_band in ('*', coalesce(customers.risk_band, 'none'))
            and rules.tier in ('*', coalesce(customers.tier, 'none'))
            and (rules.discount_pct is not null or customers.tier is not null)
    group by customers.customer_id
),

offered as (
    select
        customers.customer_id,
        rules.template_key,
        rules.channel,
        customers.rfm_segment,
        customers.risk_band,
        customers.tier,
        -- a rule's own discount, else the tier's reward (defined once, in loyalty_tiers)
        coalesce(rules.discount_pct, tiers.discount_pct) as discount_pct,
        rules.rule_order,
        customers.churn_probability
    from customers
    inner join matched on customers.customer_id = matched.customer_id
    inner join rules on matched.rule_order = rules.rule_order
    left join tiers on customers.tier = tiers.tier
),

final as (
    select
        offered.customer_id,
        offered.template_key,
        offered.channel,
        offered.rfm_segment,
        offered.risk_band,
        offered.tier,
        -- the name is filled in only by the CRM export; here the template keeps {first_name}
        replace(
            replace(
                templates.message_template,
                '{discount_pct}', cast(offered.discount_pct as varchar)
            ),
            -- only tier-reward rules use a template naming the tier, and they need a tier;
            -- a placeholder left over fails the model's tests
            '{tier}', coalesce(offered.tier, '{tier}')
        ) as message_template,
        -- the widget's lookup key: HMAC-SHA256 of the trimmed, lower-cased e-mail with the
        -- secret C360_WIDGET_KEY_SECRET, null without it. A plain hash would let anyone
        -- with a list of e-mails re-identify customers. The function comes from the plugin
        -- customer360.widget_key (profiles.yml), which reads the secret itself, so it never
        -- appears in this model's compiled SQL.
        widget_key_hmac(lower(trim(contacts.email))) as widget_lookup_key,
        offered.discount_pct,
        offered.rule_order,
        offered.churn_probability,
        coalesce(offered.churn_probability > {{ var('widget_min_churn_probability') }}, false)
            as show_widget
    from offered
    left join templates on offered.template_key = templates.template_key
    left join contacts on offered.customer_id = contacts.customer_id
)

select * from final

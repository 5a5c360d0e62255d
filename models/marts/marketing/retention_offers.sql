-- A personalised retention offer for every customer (offers by segment and risk): the first
-- matching rule of the seed `offer_rules` by RFM segment, risk band and tier, the message
-- from `offer_message_templates`, and the widget fields. `*` in a rule matches any
-- value, also a missing one (a customer without segment, band or tier).

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

matched as (
    select
        customers.customer_id,
        min(rules.rule_order) as rule_order
    from customers
    inner join rules
        on
            (rules.rfm_segment = '*' or customers.rfm_segment = rules.rfm_segment)
            and (rules.risk_band = '*' or customers.risk_band = rules.risk_band)
            and (rules.tier = '*' or customers.tier = rules.tier)
    group by customers.customer_id
),

final as (
    select
        customers.customer_id,
        rules.template_key,
        rules.channel,
        customers.rfm_segment,
        customers.risk_band,
        customers.tier,
        -- the name is filled in only by the CRM export; here the template keeps {first_name}
        replace(
            replace(
                templates.message_template, '{discount_pct}', cast(rules.discount_pct as varchar)
            ),
            '{tier}', coalesce(customers.tier, 'loyalty')
        ) as message_template,
        -- the widget's lookup key: HMAC-SHA256 of the trimmed, lower-cased e-mail with the
        -- secret C360_WIDGET_KEY_SECRET, null without it. A plain hash would let anyone
        -- with a list of e-mails re-identify customers. The function comes from the plugin
        -- customer360.widget_key (profiles.yml), which reads the secret itself, so it never
        -- appears in this model's compiled SQL.
        widget_key_hmac(lower(trim(contacts.email))) as widget_lookup_key,
        rules.discount_pct,
        rules.rule_order,
        customers.churn_probability,
        coalesce(customers.churn_probability > {{ var('widget_min_churn_probability') }}, false)
            as show_widget
    from customers
    inner join matched on customers.customer_id = matched.customer_id
    inner join rules on matched.rule_order = rules.rule_order
    left join templates on rules.template_key = templates.template_key
    left join contacts on customers.customer_id = contacts.customer_id
)

select * from final

-- The CRM target list (the segments' CRM export): every customer with contact details and
-- what marketing needs to choose and address them. The only model, with the staging
-- layer, that holds personal data; `customer360 export` reads it.

with

contacts as (
    select * from {{ ref('stg_customers') }}
),

customers as (
    select * from {{ ref('customer_360') }}
),

offers as (
    select * from {{ ref('retention_offers') }}
),

named as (
    select
        customer_id,
        full_name,
        email,
        phone,
        coalesce(nullif(split_part(trim(full_name), ' ', 1), ''), 'there') as first_name
    from contacts
),

final as (
    select
        customers.customer_id,
        named.full_name,
        named.first_name,
        named.email,
        named.phone,
        customers.city,
        customers.country,
        customers.rfm_segment,
        customers.persona,
        customers.tier,
        customers.risk_band,
        customers.customer_status,
        offers.channel,
        replace(offers.message_template, '{first_name}', coalesce(named.first_name, 'there'))
            as personalised_message,
        offers.discount_pct,
        customers.churn_probability,
        customers.composite_score
    from customers
    left join named on customers.customer_id = named.customer_id
    left join offers on customers.customer_id = offers.customer_id
)

select * from final

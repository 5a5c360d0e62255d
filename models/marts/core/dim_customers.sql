-- Every customer in the customer master or on an order. No personal data: contact
-- details stay in staging and in the export models.

with

customers as (
    select * from {{ ref('stg_customers') }}
),

orders as (
    select * from {{ ref('stg_orders') }}
),

order_summary as (
    select
        customer_id,
        count(*) as order_count,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at
    from orders
    where customer_id is not null  -- anonymous (guest) orders have no customer
    group by customer_id
),

known_ids as (
    select customer_id from customers
    union
    select customer_id from order_summary
),

final as (
    select
        known_ids.customer_id,
        customers.city,
        customers.country,
        coalesce(order_summary.order_count, 0) as order_count,
        customers.customer_id is not null as is_in_customer_master,
        customers.email is not null as has_email,
        customers.phone is not null as has_phone,
        customers.signup_date,
        order_summary.first_ordered_at,
        order_summary.last_ordered_at
    from known_ids
    left join customers on known_ids.customer_id = customers.customer_id
    left join order_summary on known_ids.customer_id = order_summary.customer_id
)

select * from final

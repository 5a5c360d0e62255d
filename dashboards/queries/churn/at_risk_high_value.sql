-- The 50 most valuable customers in the high risk band, with their retention offer and
-- the top drivers of their churn score (no contact details: `customer360 export --risk high` writes those).
with

customers as (
    select * from marts.customer_360
),

offers as (
    select * from marts.retention_offers
),

predictions as (
    select * from marts.churn_predictions
),

final as (
    select
        customers.customer_id,
        customers.persona,
        customers.rfm_segment,
        customers.tier,
        customers.churn_probability,
        customers.monetary,
        customers.recency_days,
        offers.discount_pct,
        offers.channel,
        offers.template_key,
        predictions.top_driver_1_text,
        predictions.top_driver_2_text,
        predictions.top_driver_3_text
    from customers
    left join offers on customers.customer_id = offers.customer_id
    left join predictions on customers.customer_id = predictions.customer_id
    where customers.risk_band = 'high'
    order by customers.monetary desc, customers.customer_id
    limit 50
)

select * from final
order by monetary desc, customer_id

-- The risk bands: customers, probability range, value, customer lifetime value (mean
-- P(alive), total predicted CLV) and the band's action.
with

predictions as (
    select * from marts.churn_predictions
),

customers as (
    select * from marts.customer_360
),

final as (
    select
        predictions.risk_band,
        predictions.recommended_action,
        count(*) as customers,
        min(predictions.churn_probability) as min_probability,
        max(predictions.churn_probability) as max_probability,
        sum(customers.monetary) as monetary,
        avg(customers.p_alive) as avg_p_alive,
        sum(customers.predicted_clv) as predicted_clv
    from predictions
    left join customers on predictions.customer_id = customers.customer_id
    group by predictions.risk_band, predictions.recommended_action
)

select * from final
order by min_probability desc, risk_band

-- Customer lifetime value per persona and per RFM segment: buying customers, mean
-- P(alive), expected purchases in the churn horizon, and mean and total predicted CLV
-- (over the customers whose CLV is known, counted in clv_customers).
with

customers as (
    select * from marts.customer_360
    where has_purchased
),

final as (
    select
        case when grouping(persona) = 0 then 'persona' else 'rfm_segment' end as segment_kind,
        coalesce(persona, rfm_segment) as segment,
        count(*) as customers,
        count(predicted_clv) as clv_customers,
        avg(p_alive) as avg_p_alive,
        sum(expected_purchases_horizon) as expected_purchases_horizon,
        avg(predicted_clv) as avg_predicted_clv,
        sum(predicted_clv) as predicted_clv
    from customers
    group by grouping sets ((persona), (rfm_segment))
)

select * from final
order by segment_kind, predicted_clv desc nulls last, segment

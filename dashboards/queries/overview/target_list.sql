-- The downloadable target list, without personal data: for every filter value, at most
-- $max_list_rows customers, most valuable first (customer_360.expected_value_lost = churn
-- probability × monetary, unscored customers last; then monetary, then customer_id).
-- rank_* say a customer's place per value.
with

customers as (
    select * from marts.customer_360
),

offers as (
    select * from marts.retention_offers
),

valued as (
    select
        customers.customer_id,
        customers.persona,
        customers.rfm_segment,
        customers.tier,
        customers.risk_band,
        customers.churn_probability,
        customers.monetary,
        customers.recency_days,
        offers.discount_pct,
        offers.channel,
        offers.template_key,
        customers.expected_value_lost
    from customers
    left join offers on customers.customer_id = offers.customer_id
),

ranked as (
    select
        *,
        row_number() over (
            order by expected_value_lost desc nulls last, monetary desc, customer_id
        ) as rank_all,
        case when persona is not null then row_number() over (
            partition by persona
            order by expected_value_lost desc nulls last, monetary desc, customer_id
        ) end as rank_persona,
        case when rfm_segment is not null then row_number() over (
            partition by rfm_segment
            order by expected_value_lost desc nulls last, monetary desc, customer_id
        ) end as rank_rfm_segment
    from valued
),

final as (
    select
        customer_id,
        persona,
        rfm_segment,
        tier,
        risk_band,
        round(churn_probability, 4) as churn_probability,
        round(monetary, 2) as monetary,
        recency_days,
        discount_pct,
        channel,
        template_key,
        rank_all,
        rank_persona,
        rank_rfm_segment
    from ranked
    where
        rank_all <= $max_list_rows
        or rank_persona <= $max_list_rows
        or rank_rfm_segment <= $max_list_rows
)

select * from final
order by customer_id

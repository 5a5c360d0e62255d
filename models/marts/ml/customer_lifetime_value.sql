-- Customer lifetime value of every buying customer: P(alive), expected purchases in the
-- churn horizon, expected purchase value and predicted CLV (scored in `clv_scores`), and
-- the expected next purchase date, with the repeat-purchase summary they come from.

with

inputs as (
    select * from {{ ref('customer_repeat_purchases') }}
),

scores as (
    select * from {{ ref('clv_scores') }}
),

parameters as (
    select * from {{ ref('clv_parameters') }}
),

next_purchase as (
    -- an alive customer's next purchase comes after 1 / λ days on average, λ at its
    -- posterior mean (r + x) / (α + T) (docs: expected_next_purchase_date)
    select
        inputs.customer_id,
        case
            when scores.p_alive >= {{ var('clv_next_purchase_min_p_alive') }}
                then cast(round(
                    (parameters.bgnbd_alpha + inputs.active_days)
                    / (parameters.bgnbd_r + inputs.repeat_purchase_days)
                ) as integer)
        end as days_to_next_purchase
    from inputs
    inner join scores on inputs.customer_id = scores.customer_id
    cross join parameters
),

final as (
    select
        inputs.customer_id,
        inputs.repeat_purchase_days,
        inputs.purchase_span_days,
        inputs.active_days,
        inputs.avg_repeat_purchase_value,
        scores.p_alive,
        scores.expected_purchases_horizon,
        scores.expected_order_value,
        scores.predicted_clv,
        {{ as_of_date() }} + next_purchase.days_to_next_purchase as expected_next_purchase_date
    from inputs
    left join scores on inputs.customer_id = scores.customer_id
    left join next_purchase on inputs.customer_id = next_purchase.customer_id
)

select * from final

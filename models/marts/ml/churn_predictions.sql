-- Churn probability, 0–100 score, risk band and top drivers of every customer who has
-- bought.

with

scores as (
    select * from {{ ref('churn_scores') }}
),

bands as (
    select * from {{ ref('churn_risk_bands') }}
),

banded as (
    {{ risk_bands('scores', 'bands', ['customer_id']) | indent(4) }}
),

final as (
    select
        scores.customer_id,
        banded.risk_band,
        bands.recommended_action,
        scores.model_family,
        scores.model_version,
        scores.churn_probability,
        cast(round(100 * scores.churn_probability) as integer) as churn_score,
        scores.trained_on_cutoff_date,
        scores.top_driver_1,
        scores.top_driver_1_text,
        scores.top_driver_2,
        scores.top_driver_2_text,
        scores.top_driver_3,
        scores.top_driver_3_text
    from scores
    left join banded on scores.customer_id = banded.customer_id
    left join bands on banded.risk_band = bands.risk_band
)

select * from final

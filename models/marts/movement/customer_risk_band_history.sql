-- Each customer's churn probability and risk band at every month end of the segment
-- history (docs: segment_history): the month end's point-in-time features scored by the
-- production churn model of the build that stored it.

with

scores as (
    -- month ends not banded yet (the table is append-only, like the history)
    select * from {{ ref('churn_score_history') }}
    where period_end > {{ last_stored_period_end() }}
),

bands as (
    select * from {{ ref('churn_risk_bands') }}
),

banded as (
    {{ risk_bands('scores', 'bands', ['customer_id', 'period_end']) | indent(4) }}
),

final as (
    select
        scores.customer_id,
        banded.risk_band,
        scores.model_version,
        scores.churn_probability,
        scores.period_end
    from scores
    left join banded
        on
            scores.customer_id = banded.customer_id
            and scores.period_end = banded.period_end
)

select * from final

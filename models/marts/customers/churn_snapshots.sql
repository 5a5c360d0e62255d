-- Point-in-time snapshots for churn training: per cutoff date, each customer's features
-- from purchases strictly before it and the label from the horizon after it.

with

purchases as (
    select * from {{ ref('fct_customer_purchases') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

{%- set interval = var('churn_snapshot_interval_days') | int %}
{%- set anchor = "cast('" ~ var('churn_snapshot_anchor_date') ~ "' as date)" %}

snapshot_grid as (
    -- the latest date before the as-of date on the fixed grid of cutoffs: every
    -- churn_snapshot_interval_days from churn_snapshot_anchor_date (docs: churn_snapshot)
    select
        as_of_date,
        cast(
            {{ dbt.dateadd(
                'day',
                'cast(floor((' ~ dbt.datediff(anchor, 'as_of_date', 'day') ~ ' - 1) / '
                ~ interval ~ ') * ' ~ interval ~ ' as integer)',
                anchor,
            ) }} as date
        ) as latest_grid_date
    from as_of
),

cutoffs as (
    -- the as-of date itself (scored, never labelled) and the churn_snapshot_count - 1
    -- latest grid dates before it: a later as-of date keeps the earlier cutoffs, and so
    -- the snapshots a churn model was trained and tested on, until a grid date passes
    select
        as_of_date as cutoff_date,
        as_of_date
    from as_of
    union all
    select
        cast(
            {{ dbt.dateadd(
                'day', '-1 * steps.step * ' ~ interval, 'snapshot_grid.latest_grid_date'
            ) }}
            as date
        ) as cutoff_date,
        snapshot_grid.as_of_date
    from snapshot_grid
    cross join range({{ var('churn_snapshot_count') | int - 1 }}) as steps (step)
),

{{ point_in_time_history() }},

features as {{ materialized_cte() }} (
    select
        {{- point_in_time_features() }},
        cutoff_date + {{ var('churn_horizon_days') }} <= as_of_date as is_labelable,
        next_ordered_at < cutoff_date + {{ var('churn_horizon_days') }} as is_next_in_horizon,
        next_ordered_at as next_purchase_at
    from history
),

cutoff_medians as (
    -- the churn rule's medians among the customers who had bought by each cutoff
    -- (macros/churn_rule.sql, the one definition customer_churn_labels uses too)
    select
        cutoff_date,
        {{ churn_rule_medians() }}
    from features
    group by cutoff_date
),

final as (
    select
        features.customer_id,
        features.cutoff_date,
        features.recency_days,
        features.frequency,
        features.monetary,
        features.avg_order_value,
        features.avg_gap_days,
        features.last_gap_days,
        features.store_visits,
        features.active_days,
        features.active_days as days_since_first_purchase,
        features.is_labelable,
        case
            when features.is_labelable then coalesce(features.is_next_in_horizon, false)
        end as has_purchase_in_horizon,
        case
            when features.is_labelable then not coalesce(features.is_next_in_horizon, false)
        end as is_churned,
        {{ churn_rule(
            recency_days='features.recency_days',
            reference_gap_days=churn_rule_reference_gap(
                'features.avg_gap_days', 'cutoff_medians.median_repeat_gap_days'
            ),
            monetary='features.monetary',
            median_monetary='cutoff_medians.median_monetary',
            frequency='features.frequency',
            median_frequency='cutoff_medians.median_frequency'
        ) }} as is_churned_by_rule,
        features.first_purchase_date,
        features.last_purchase_date,
        features.next_purchase_at
    from features
    inner join cutoff_medians on features.cutoff_date = cutoff_medians.cutoff_date
)

select * from final

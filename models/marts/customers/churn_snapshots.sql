-- Point-in-time snapshots for churn training: per cutoff date, each customer's features
-- from purchases strictly before it and the label from the horizon after it.

with

purchases as (
    select * from {{ ref('int_purchases_with_gaps') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

cutoffs as (
    select
        cast(
            as_of.as_of_date
            - cast(steps.step * {{ var('churn_snapshot_interval_days') }} as integer) as date
        ) as cutoff_date,
        as_of.as_of_date
    from as_of
    cross join range({{ var('churn_snapshot_count') }}) as steps (step)
),

last_purchase_before_cutoff as (
    -- the customer's last purchase before the cutoff carries their running history;
    -- its next purchase is the first one on or after the cutoff
    select
        cutoffs.cutoff_date,
        cutoffs.as_of_date,
        purchases.*
    from purchases
    inner join cutoffs
        on
            purchases.ordered_at < cutoffs.cutoff_date
            and (
                purchases.next_ordered_at >= cutoffs.cutoff_date
                or purchases.next_ordered_at is null
            )
),

final as (
    select
        customer_id,
        cutoff_date,
        date_diff('day', order_date, cutoff_date) as recency_days,
        purchase_number as frequency,
        cast(running_monetary as decimal(18, 4)) as monetary,
        cast(running_monetary / purchase_number as decimal(18, 4)) as avg_order_value,
        -- the mean of the gaps telescopes to (last − first) / (purchases − 1)
        date_diff('day', first_purchase_date, order_date) / nullif(purchase_number - 1, 0)
            as avg_gap_days,
        gap_days as last_gap_days,
        running_store_visits as store_visits,
        date_diff('day', first_purchase_date, cutoff_date) as active_days,
        cutoff_date + {{ var('churn_horizon_days') }} <= as_of_date as is_labelable,
        case
            when cutoff_date + {{ var('churn_horizon_days') }} <= as_of_date
                then not coalesce(
                    next_ordered_at < cutoff_date + {{ var('churn_horizon_days') }}, false
                )
        end as is_churned,
        next_ordered_at as next_purchase_at
    from last_purchase_before_cutoff
)

select * from final

-- Monthly acquisition cohorts (month of the first purchase) × months since the first
-- purchase: cohort size, active customers, retention and revenue (docs: cohort_retention).
-- Guest orders have no customer and are left out; partial months are flagged.

with

purchases as (
    select * from {{ ref('fct_customer_purchases') }}
),

periods as (
    select * from {{ ref('int_period_coverage') }}
),

months as (
    select
        period_start as activity_month,
        is_partial_period
    from periods
    where period_grain = 'month'
),

customer_cohorts as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'min(first_purchase_date)') }} as date) as cohort_month
    from purchases
    group by customer_id
),

cohorts as (
    select
        cohort_month,
        count(*) as cohort_customers
    from customer_cohorts
    group by cohort_month
),

monthly_activity as (
    select
        customer_cohorts.cohort_month,
        cast({{ dbt.date_trunc('month', 'purchases.order_date') }} as date) as activity_month,
        count(distinct purchases.customer_id) as active_customers,
        -- unknown when a purchase's value is (a basket-only file), never a silent 0
        case
            when count(purchases.revenue) = count(*) then sum(purchases.revenue)
        end as revenue
    from purchases
    inner join customer_cohorts on purchases.customer_id = customer_cohorts.customer_id
    group by customer_cohorts.cohort_month, activity_month
),

grid as (
    -- every month from the cohort's first to the last month of the data, active or not
    select
        cohorts.cohort_month,
        cohorts.cohort_customers,
        months.activity_month,
        months.is_partial_period
    from cohorts
    inner join months on cohorts.cohort_month <= months.activity_month
),

{%- set months_since = dbt.datediff('grid.cohort_month', 'grid.activity_month', 'month') %}

final as (
    select
        grid.cohort_month,
        cast({{ months_since }} as integer) as months_since_first_purchase,
        grid.cohort_customers,
        coalesce(monthly_activity.active_customers, 0) as active_customers,
        coalesce(monthly_activity.active_customers, 0) / grid.cohort_customers
            as retention_ratio,
        -- a month without purchases has revenue 0; one with an unknown value stays null
        cast(
            case
                when monthly_activity.cohort_month is null then 0
                else monthly_activity.revenue
            end as decimal(18, 4)
        ) as revenue,
        grid.is_partial_period as is_partial_month,
        cohort_months.is_partial_period as is_partial_cohort_month,
        grid.activity_month
    from grid
    inner join months as cohort_months on grid.cohort_month = cohort_months.activity_month
    left join monthly_activity
        on
            grid.cohort_month = monthly_activity.cohort_month
            and grid.activity_month = monthly_activity.activity_month
)

select * from final

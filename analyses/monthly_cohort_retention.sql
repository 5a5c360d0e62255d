-- Monthly cohort retention: for customers whose first purchase fell in a month, the share
-- who bought again N months later. A starting point for cohort charts.

with

purchases as (
    select * from {{ ref('fct_customer_purchases') }}
),

cohorts as (
    select
        customer_id,
        date_trunc('month', first_purchase_date) as cohort_month,
        date_trunc('month', order_date) as purchase_month
    from purchases
),

activity as (
    select
        cohort_month,
        date_diff('month', cohort_month, purchase_month) as months_since_first,
        count(distinct customer_id) as active_customers
    from cohorts
    group by cohort_month, months_since_first
),

final as (
    select
        cohort_month,
        months_since_first,
        active_customers,
        active_customers
        / first_value(active_customers) over (
            partition by cohort_month order by months_since_first
        ) as retention_ratio
    from activity
)

select * from final
order by cohort_month, months_since_first

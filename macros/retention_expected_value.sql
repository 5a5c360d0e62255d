{#
    The expected value of a retention campaign per group of scored buying customers (the
    decision view beside the Pulse retention ROI formula), written once for every grouping:
    expected value lost = Σ churn probability × monetary (customer_360.expected_value_lost);
    saved = expected value lost × `retention_save_rate`; cost = `retention_cost_ratio` × monetary of the customers;
    net = saved − cost; ROI % = net / cost × 100. `group_column` is a column of
    customer_360 (rfm_segment, risk_band).
#}
{% macro retention_expected_value(group_column) %}
with

customers as (
    select * from {{ ref('customer_360') }}
),

grouped as (
    select
        {{ group_column }},
        count(*) as customers,
        sum(monetary) as monetary,
        -- decimal products, so the sum is exact and every build gives the same bits
        sum(expected_value_lost) as expected_value_lost
    from customers
    where has_purchased and churn_probability is not null
    group by {{ group_column }}
),

final as (
    select
        {{ group_column }},
        customers,
        cast(monetary as decimal(18, 4)) as monetary,
        cast(expected_value_lost as decimal(18, 4)) as expected_value_lost,
        cast(expected_value_lost * {{ var('retention_save_rate') }} as decimal(18, 4))
            as expected_saved_value,
        cast(monetary * {{ var('retention_cost_ratio') }} as decimal(18, 4)) as retention_cost,
        cast(
            expected_value_lost * {{ var('retention_save_rate') }}
            - monetary * {{ var('retention_cost_ratio') }} as decimal(18, 4)
        ) as net_expected_value,
        (
            expected_value_lost * {{ var('retention_save_rate') }}
            - monetary * {{ var('retention_cost_ratio') }}
        )
        / nullif(monetary * {{ var('retention_cost_ratio') }}, 0) * 100 as roi_pct
    from grouped
)

select * from final
{% endmacro %}

-- Every month, quarter and year the data touches, with how many of its days the data
-- covers (docs: partial_period): from the first order's day to the day before the as-of
-- date. No wall clock: the same data and as-of date give the same periods.

with

orders as (
    select * from {{ ref('stg_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

data_window as (
    select
        cast(min(orders.ordered_at) as date) as first_covered_date,
        any_value(as_of.as_of_date) - 1 as last_covered_date
    from orders
    cross join as_of
),

periods as (
    {%- for grain in period_grains() %}
    select
        '{{ grain }}' as period_grain,
        data_window.first_covered_date,
        data_window.last_covered_date,
        cast(period_starts.period_start as date) as period_start,
        -- the period's last day: the day before the next period starts
        cast(period_starts.period_start + interval 1 {{ grain }} as date) - 1 as period_end
    from data_window
    cross join
        unnest(generate_series(
            date_trunc('{{ grain }}', data_window.first_covered_date),
            date_trunc('{{ grain }}', data_window.last_covered_date),
            interval 1 {{ grain }}
        )) as period_starts (period_start)
    where data_window.first_covered_date <= data_window.last_covered_date
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        period_grain,
        date_diff(
            'day',
            greatest(period_start, first_covered_date),
            least(period_end, last_covered_date)
        ) + 1 as covered_days,
        date_diff('day', period_start, period_end) + 1 as period_days,
        first_covered_date > period_start or last_covered_date < period_end as is_partial_period,
        period_start,
        period_end
    from periods
)

select * from final

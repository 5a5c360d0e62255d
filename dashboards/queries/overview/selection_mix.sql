-- Customers per risk band and per loyalty tier, for every filter value (the charts the
-- segment filter redraws); filter values from the view `filter_keys` (queries/_views/).
with

customers as (
    select * from marts.customer_360
),

labelled as (
    select
        filter_keys.filter_key,
        coalesce(customers.risk_band, 'not scored') as risk_band,
        coalesce(customers.tier, 'no tier') as tier,
        customers.monetary
    from filter_keys
    inner join customers on filter_keys.customer_id = customers.customer_id
),

final as (
    select
        filter_key,
        'risk_band' as dimension,
        risk_band as dimension_value,
        count(*) as customers,
        sum(monetary) as monetary
    from labelled
    group by filter_key, risk_band
    union all
    select
        filter_key,
        'tier' as dimension,
        tier as dimension_value,
        count(*) as customers,
        sum(monetary) as monetary
    from labelled
    group by filter_key, tier
)

select * from final
order by filter_key, dimension, dimension_value

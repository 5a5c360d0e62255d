-- Units sold and unsold per category, split by dead stock or not.
select
    coalesce(category, 'unknown') as category,
    count(*) as products,
    count(*) filter (where is_dead_stock) as dead_stock_products,
    sum(units_sold) as units_sold,
    sum(unsold_units) as unsold_units,
    sum(unsold_units) filter (where is_dead_stock) as dead_stock_unsold_units,
    sum(revenue) as revenue,
    sum(profit) as profit
from marts.product_stock_health
group by coalesce(category, 'unknown')
order by category

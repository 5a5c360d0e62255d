-- Stock health in one row: products, dead stock and unsold units.
select
    count(*) as products,
    count(*) filter (where is_dead_stock) as dead_stock_products,
    coalesce(sum(units_received), 0) as units_received,
    coalesce(sum(units_sold), 0) as units_sold,
    coalesce(sum(unsold_units) filter (where is_dead_stock), 0) as dead_stock_unsold_units
from marts.product_stock_health

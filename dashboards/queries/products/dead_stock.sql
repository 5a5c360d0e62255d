-- The 25 dead-stock products with the most unsold units.
select
    product_id,
    product_name,
    category,
    units_received,
    units_sold,
    unsold_units,
    sold_ratio,
    days_since_last_sale,
    revenue
from marts.product_stock_health
where is_dead_stock
order by unsold_units desc, product_id
limit 25

-- Dead-stock bundles: a selling product whose buyers also buy a dead-stock product.
select
    dead_stock_product_id,
    dead_stock_product_name,
    selling_product_id,
    selling_product_name,
    support,
    confidence,
    lift,
    dead_stock_sold_ratio,
    dead_stock_unsold_units,
    units_bundle_could_move
from marts.product_bundles
order by units_bundle_could_move desc, lift desc, dead_stock_product_id, selling_product_id

-- depends_on: {{ ref('stg_orders') }}
-- depends_on: {{ ref('base_orders') }}
{{ validate_landing('order_items') }}

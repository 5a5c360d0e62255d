-- depends_on: {{ ref('stg_orders') }}
{{ validate_landing('order_items') }}

{{ validate_landing('orders') }}

{{ validate_landing('products') }}

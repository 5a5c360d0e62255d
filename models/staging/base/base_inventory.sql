{{ validate_landing('inventory') }}

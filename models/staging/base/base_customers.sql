{{ validate_landing('customers') }}

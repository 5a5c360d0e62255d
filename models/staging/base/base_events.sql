{{ validate_landing('events') }}

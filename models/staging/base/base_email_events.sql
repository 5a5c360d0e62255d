{{ validate_landing('email_events') }}

{{ validate_landing('campaigns') }}

{{ validate_landing('device_logs') }}

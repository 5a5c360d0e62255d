{{ validate_landing('campaign_contacts') }}

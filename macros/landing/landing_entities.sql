{#
    The landing entities of the contract, in the order of models/staging/_sources.yml.
    Models that loop over every entity (rejects, reconciliation) use this list, because
    `ref()` calls must be visible when dbt parses the project.
#}
{% macro landing_entities() -%}
    {{ return([
        'customers', 'orders', 'order_items', 'products', 'inventory',
        'email_events', 'device_logs', 'campaigns', 'campaign_contacts', 'events',
    ]) }}
{%- endmacro %}

{#
    Whether an order id names a cancellation document: it matches the regular expression
    in var `cancellation_order_id_pattern` (default `^C[0-9]`, the common `C` prefix before
    the invoice number). An empty or null pattern switches the rule off.
#}
{% macro is_cancellation_document(order_id) -%}
    {%- set pattern = var('cancellation_order_id_pattern') -%}
    {%- if pattern -%}
        coalesce(regexp_matches({{ order_id }}, {{ sql_string(pattern) }}), false)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

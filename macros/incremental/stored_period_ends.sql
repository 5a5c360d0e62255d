{#- The last month end an append-only history model (customer_segment_history and the
    models that follow it) has already stored, as a scalar subquery: `max(column)` of
    `this` in an incremental run, the earliest date in a full build or when nothing is
    stored. A run adds only the month ends after it. -#}
{% macro last_stored_period_end(column='period_end') %}
    {%- if is_incremental() -%}
        (select coalesce(max(stored.{{ column }}), date '0001-01-01') from {{ this }} as stored)
    {%- else -%}
        date '0001-01-01'
    {%- endif -%}
{% endmacro %}

{#
    The calendar grains the period figures are computed at (profit trend, period
    coverage). Written once, so every model that loops over them agrees:

        {%- for grain in period_grains() %} ... date_trunc('{{ grain }}', order_date) ...
#}
{% macro period_grains() -%}
    {{ return(['month', 'quarter', 'year']) }}
{%- endmacro %}

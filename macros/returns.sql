{#
    Returns (docs: return_line). A line's contribution to net spend: its revenue for a
    sale in a completed order, minus its revenue for a returned line (a negative quantity
    or a line of a cancellation document), 0 for a sale that was returned (an order with
    status `returned`: sold, then given back) and for a cancelled order (it never
    happened). Null when the revenue is unknown.
#}
{% macro net_revenue(status, is_return_line, revenue) -%}
    case
        when {{ status }} = 'cancelled' then 0
        when {{ is_return_line }} then -{{ revenue }}
        when {{ status }} = 'completed' then {{ revenue }}
        else 0 * {{ revenue }}
    end
{%- endmacro %}


{#- An order's status from its landed status and its lines: an order whose every line is a
    returned line is a return document, status `returned`. -#}
{% macro order_status_with_returns(status, all_lines_returned) -%}
    case when coalesce({{ all_lines_returned }}, false) then 'returned' else {{ status }} end
{%- endmacro %}

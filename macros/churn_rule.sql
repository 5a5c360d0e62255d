{#
    The rule-based churn label (docs: churn_label), written once here: customer_churn_labels
    applies it as of the as-of date, churn_snapshots at every snapshot cutoff.
#}

{#- The medians the rule compares with, as aggregate select items over the buying customers
    of one point in time. avg_gap_days is null for one-order customers, so the gap median is
    over repeat customers. -#}
{% macro churn_rule_medians(monetary='monetary', frequency='frequency', avg_gap_days='avg_gap_days') -%}
    median({{ monetary }}) as median_monetary,
    median({{ frequency }}) as median_frequency,
    median({{ avg_gap_days }}) as median_repeat_gap_days
{%- endmacro %}


{#- The gap recency is compared with: the customer's own average gap, else (one order) the
    median average gap of repeat customers. -#}
{% macro churn_rule_reference_gap(avg_gap_days='avg_gap_days', median_repeat_gap_days='median_repeat_gap_days') -%}
    coalesce({{ avg_gap_days }}, {{ median_repeat_gap_days }})
{%- endmacro %}


{#- Overdue: more days since the last purchase than the reference gap; false when the
    reference is unknown (no repeat customers at all). -#}
{% macro churn_rule_is_overdue(recency_days='recency_days', reference_gap_days='reference_gap_days') -%}
    coalesce({{ recency_days }} > {{ reference_gap_days }}, false)
{%- endmacro %}


{#- The rule: overdue, monetary below the median and frequency below the median. -#}
{% macro churn_rule(
    recency_days='recency_days',
    reference_gap_days='reference_gap_days',
    monetary='monetary',
    median_monetary='median_monetary',
    frequency='frequency',
    median_frequency='median_frequency'
) -%}
    {{ churn_rule_is_overdue(recency_days, reference_gap_days) }}
    and {{ monetary }} < {{ median_monetary }}
    and {{ frequency }} < {{ median_frequency }}
{%- endmacro %}

{#- The churn risk band of each row of `scores` (a `churn_probability` column) by the seed
    churn_risk_bands (`bands`): the band with the highest lower bound the probability
    reaches (docs: risk_band), one row per `keys`. Written once for the current
    predictions and the risk band history. -#}
{% macro risk_bands(scores, bands, keys) %}
select
    {%- for key in keys %}
    {{ scores }}.{{ key }},
    {%- endfor %}
    arg_max({{ bands }}.risk_band, {{ bands }}.min_probability) as risk_band
from {{ scores }}
inner join {{ bands }}
    on
        {{ scores }}.churn_probability > {{ bands }}.min_probability
        or (
            {{ scores }}.churn_probability = {{ bands }}.min_probability
            and {{ bands }}.is_min_inclusive
        )
group by {% for key in keys %}{{ scores }}.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
{%- endmacro %}

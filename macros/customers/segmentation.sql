{#- The segmentation features and the nearest KMeans centre (docs: persona), one definition
    for the current segments and the segment history. -#}

{#- The segmentation features of var `segment_features` (the one list of them), each
    ln(1 + x), as decimals (so the moments are exact sums and every build gives the same
    bits), from the columns recency_days, frequency, monetary, active_days (tenure) and
    avg_gap_days of customer_metrics and of the point-in-time features. -#}
{% macro segment_log_features() %}
    {%- set definitions = {
        'recency': 'recency_days',
        'frequency': 'frequency',
        'monetary': 'greatest(monetary, 0)',
        'tenure': 'active_days',
        'gap': 'coalesce(avg_gap_days, active_days)',
    } %}
    {#- a one-order customer has no gap: the gap feature uses their tenure, the least it can be #}
    {%- for feature in segment_features() %}
        {%- if feature not in definitions %}
            {{ exceptions.raise_compiler_error(
                "var segment_features: no definition of feature '" ~ feature
                ~ "' in macro segment_log_features (known: "
                ~ definitions.keys() | join(', ') ~ ")"
            ) }}
        {%- endif %}
        cast(ln(1 + {{ definitions[feature] }}) as decimal(38, 12)) as log_{{ feature }}
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- The logged features of `logged` standardised with the one-row scaler `scaler`
    (segment_scaler), as select columns `<feature>_scaled`; 0 when a feature has no
    spread or is unknown. -#}
{% macro segment_scaled_features(logged, scaler) %}
        {%- for feature in segment_features() %}
        coalesce(
            ({{ logged }}.log_{{ feature }} - {{ scaler }}.{{ feature }}_mean)
            / nullif({{ scaler }}.{{ feature }}_sd, 0),
            0
        ) as {{ feature }}_scaled{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}


{#- The list of var `segment_features`, for Jinja loops. -#}
{% macro segment_features() %}
    {{ return(var('segment_features')) }}
{% endmacro %}


{#- Each row of `features` (grouped by the `keys` columns) with the nearest centre of
    `centres` (segment_centres) and its squared distance; ties go to the lower segment id. -#}
{% macro nearest_segment(features, centres, keys) %}
select
    {%- for key in keys %}
    {{ features }}.{{ key }},
    {%- endfor %}
    arg_min(
        {{ centres }}.segment_id,
        (
            {%- for feature in segment_features() %}
            power({{ features }}.{{ feature }}_scaled - {{ centres }}.{{ feature }}_scaled, 2)
            {{- ' +' if not loop.last }}
            {%- endfor %},
            {{ centres }}.segment_id
        )
    ) as segment_id,
    min(
        {%- for feature in segment_features() %}
        power({{ features }}.{{ feature }}_scaled - {{ centres }}.{{ feature }}_scaled, 2)
        {{- ' +' if not loop.last }}
        {%- endfor %}
    ) as squared_distance
from {{ features }}
cross join {{ centres }}
group by {% for key in keys %}{{ features }}.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
{%- endmacro %}

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


{#- The centres of `centres` (segment_centres) as one row: column
    segment_<id>_<feature>_scaled for every segment id from 1 to var segment_k_max, null
    for an id without a centre, so each row's distances are plain columns (no join). -#}
{% macro centre_slots(centres) %}
select
    {%- for segment_id in range(1, var('segment_k_max') + 1) %}
    {%- set outer_loop = loop %}
    {%- for feature in segment_features() %}
    max(case when segment_id = {{ segment_id }} then {{ feature }}_scaled end)
        as segment_{{ segment_id }}_{{ feature }}_scaled
    {{- ',' if not (outer_loop.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
from {{ centres }}
{%- endmacro %}


{#- Select columns distance_to_segment_<id>: the squared Euclidean distance of each row of
    `features` (<feature>_scaled columns) to every centre of the one-row `slots`
    (centre_slots); null for an id without a centre. Squares are products, not power():
    seven times faster in DuckDB. -#}
{% macro centre_distances(features, slots) %}
    {%- for segment_id in range(1, var('segment_k_max') + 1) %}
        {%- for feature in segment_features() %}
        {%- set difference -%}
            ({{ features }}.{{ feature }}_scaled
            - {{ slots }}.segment_{{ segment_id }}_{{ feature }}_scaled)
        {%- endset %}
        {{ difference }} * {{ difference }}{{ ' +' if not loop.last }}
        {%- endfor %} as distance_to_segment_{{ segment_id }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- Select columns segment_id and squared_distance of each row of `distances`
    (centre_distances): the nearest centre and the squared distance to it; ties go to the
    lower segment id; both null without centres. -#}
{% macro nearest_segment(distances) %}
    {%- set segment_ids = range(1, var('segment_k_max') + 1) %}
        case
            {%- for segment_id in segment_ids %}
            when {{ distances }}.distance_to_segment_{{ segment_id }} = least(
                {%- for other in segment_ids %}
                {{ distances }}.distance_to_segment_{{ other }}{{ ',' if not loop.last }}
                {%- endfor %}
            ) then {{ segment_id }}
            {%- endfor %}
        end as segment_id,
        least(
            {%- for segment_id in segment_ids %}
            {{ distances }}.distance_to_segment_{{ segment_id }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) as squared_distance
{%- endmacro %}

-- Segmentation features of every buying customer: R, F, M, tenure and purchase gap,
-- log-scaled (ln(1 + x)) and standardised (mean 0, standard deviation 1), and whether the
-- customer is in the deterministic sample the KMeans model is fitted on. Which features
-- are used is var `segment_features`; how each is computed from customer_metrics is here.
{%- set definitions = {
    'recency': 'recency_days',
    'frequency': 'frequency',
    'monetary': 'greatest(monetary, 0)',
    'tenure': 'active_days',
    'gap': 'coalesce(avg_gap_days, active_days)',
} %}
{#- a one-order customer has no gap: the gap feature uses their tenure, the least it can be #}
{%- set features = var('segment_features') %}
{%- for feature in features if feature not in definitions %}
{{ exceptions.raise_compiler_error(
    "var segment_features: no definition of feature '" ~ feature ~ "' in customer_segment_features"
    ~ " (known: " ~ definitions.keys() | join(', ') ~ ")"
) }}
{%- endfor %}

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

logged as (
    -- decimals, so that the moments below are exact sums and every build gives the same
    -- bits (floating-point sums depend on the order parallel threads add them in)
    select
        {%- for feature in features %}
        cast(ln(1 + {{ definitions[feature] }}) as decimal(38, 12)) as log_{{ feature }},
        {%- endfor %}
        customer_id
    from metrics
    where has_purchased
),

moments as (
    -- population standard deviation as sqrt(E[x²] − E[x]²), from exact decimal sums
    select
        {%- for feature in features %}
        avg(log_{{ feature }}) as {{ feature }}_mean,
        sqrt(greatest(avg(log_{{ feature }} * log_{{ feature }}) - avg(log_{{ feature }}) ^ 2, 0))
            as {{ feature }}_sd,
        {%- endfor %}
        count(*) as customer_count
    from logged
),

final as (
    select
        logged.customer_id,
        {%- for feature in features %}
        coalesce(
            (logged.log_{{ feature }} - moments.{{ feature }}_mean)
            / nullif(moments.{{ feature }}_sd, 0),
            0
        ) as {{ feature }}_scaled,
        {%- endfor %}
        row_number() over (
            order by hash(logged.customer_id || '{{ var("ml_seed") }}'), logged.customer_id
        ) <= {{ var('segment_fit_sample_size') }} as is_in_fit_sample
    from logged
    cross join moments
)

select * from final

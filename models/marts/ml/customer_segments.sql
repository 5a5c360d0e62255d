-- Every buying customer's segment: the nearest KMeans centre (ties go to the lower
-- segment id), its persona, the distance to it and the 2-D PCA coordinates.

{%- set features = segment_feature_columns() %}

with

customer_features as (
    select * from {{ ref('customer_segment_features') }}
),

centres as (
    select * from {{ ref('segment_centres') }}
),

pca as (
    select * from {{ ref('segment_pca') }}
),

centre_slots as (
    {{ centre_slots('centres') | indent(4) }}
),

distances as (
    select
        customer_features.customer_id,
        {{- centre_distances('customer_features', 'centre_slots') }}
    from customer_features
    cross join centre_slots
),

nearest as (
    select
        distances.customer_id,
        {{- nearest_segment('distances') }}
    from distances
),

pca_weights as (
    -- one row: each feature's mean and weights on both components
    select
        {%- for feature in features %}
        any_value(feature_mean) filter (where feature = '{{ feature }}') as {{ feature }}_mean,
        any_value(pc1_weight) filter (where feature = '{{ feature }}') as {{ feature }}_pc1,
        any_value(pc2_weight) filter (where feature = '{{ feature }}') as {{ feature }}_pc2,
        {%- endfor %}
        count(*) as feature_count
    from pca
),

projected as (
    select
        customer_features.customer_id,
        {%- for component in ['pc1', 'pc2'] %}
        0
        {%- for feature in features %}
        + (customer_features.{{ feature }} - pca_weights.{{ feature }}_mean)
        * pca_weights.{{ feature }}_{{ component }}
        {%- endfor %} as {{ component }},
        {%- endfor %}
        pca_weights.feature_count
    from customer_features
    cross join pca_weights
),

final as (
    select
        nearest.customer_id,
        nearest.segment_id,
        centres.persona,
        sqrt(nearest.squared_distance) as distance_to_centre,
        projected.pc1,
        projected.pc2
    from nearest
    inner join centres on nearest.segment_id = centres.segment_id
    inner join projected on nearest.customer_id = projected.customer_id
)

select * from final

{#- The columns of customer_segment_features (and segment_centres) that hold the segmentation
    features: `<feature>_scaled` for each feature of var `segment_features`. -#}
{% macro segment_feature_columns() -%}
    {%- set columns = [] -%}
    {%- for feature in var('segment_features') -%}
        {%- do columns.append(feature ~ '_scaled') -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

-- The strategy text per filter value: persona profiles and RFM segment rules.
with

personas as (
    select * from marts.segment_profiles
),

rfm as (
    select distinct
        rfm_segment,
        segment_description,
        recommended_action
    from marts.customer_rfm
),

final as (
    select
        'persona:' || persona as filter_key,
        'persona' as filter_kind,
        persona as filter_value,
        persona_description as description,
        recommended_action
    from personas
    union all
    select
        'rfm_segment:' || rfm_segment as filter_key,
        'rfm_segment' as filter_kind,
        rfm_segment as filter_value,
        segment_description as description,
        recommended_action
    from rfm
)

select * from final
order by filter_key

-- One row per segment: size, share, average customer figures, persona and action.

with

segments as (
    select * from {{ ref('customer_segments') }}
),

metrics as (
    select * from {{ ref('customer_metrics') }}
),

personas as (
    select * from {{ ref('segment_personas') }}
),

profiled as (
    select
        segments.segment_id,
        segments.persona,
        count(*) as customers,
        avg(metrics.recency_days) as avg_recency_days,
        avg(metrics.frequency) as avg_frequency,
        avg(metrics.monetary) as avg_monetary,
        sum(metrics.monetary) as total_monetary,
        avg(metrics.avg_order_value) as avg_order_value,
        avg(metrics.active_days) as avg_active_days,
        -- a decimal average is an exact sum: the same bits in every build
        avg(cast(metrics.avg_gap_days as decimal(38, 6))) as avg_gap_days
    from segments
    inner join metrics on segments.customer_id = metrics.customer_id
    group by segments.segment_id, segments.persona
),

final as (
    select
        profiled.segment_id,
        profiled.persona,
        personas.description as persona_description,
        personas.recommended_action,
        profiled.customers,
        profiled.customers / sum(profiled.customers) over () as customer_share_ratio,
        profiled.total_monetary / nullif(sum(profiled.total_monetary) over (), 0)
            as revenue_share_ratio,
        profiled.avg_recency_days,
        profiled.avg_frequency,
        cast(profiled.avg_monetary as decimal(18, 4)) as avg_monetary,
        cast(profiled.avg_order_value as decimal(18, 4)) as avg_order_value,
        profiled.avg_active_days,
        profiled.avg_gap_days
    from profiled
    -- a numbered persona ("VIP 2") takes its base persona's text; regexp_extract gives
    -- '' (not null) when the name has no number
    left join personas
        on coalesce(
            nullif(regexp_extract(profiled.persona, '^(.*) \d+$', 1), ''), profiled.persona
        ) = personas.persona
)

select * from final

-- RFM values, 1–N scores and the RFM segment (one of 11), for customers who bought.

with

metrics as (
    select * from {{ ref('customer_metrics') }}
),

segment_cells as (
    select * from {{ ref('rfm_segment_cells') }}
),

segments as (
    select * from {{ ref('rfm_segments') }}
),

buyers as (
    select
        customer_id,
        recency_days,
        frequency,
        monetary
    from metrics
    where has_purchased
),

combined as (
    {{ rfm_scores('buyers') | indent(4) }}
),

final as (
    select
        combined.customer_id,
        combined.r_score || '-' || combined.fm_score as rfm_cell,
        segment_cells.rfm_segment,
        segments.description as segment_description,
        segments.recommended_action,
        combined.recency_days,
        combined.frequency,
        combined.monetary,
        combined.r_score,
        combined.f_score,
        combined.m_score,
        combined.fm_score,
        combined.r_score * 100 + combined.f_score * 10 + combined.m_score as rfm_score
    from combined
    left join segment_cells
        on
            combined.r_score = segment_cells.r_score
            and combined.fm_score = segment_cells.fm_score
    left join segments on segment_cells.rfm_segment = segments.rfm_segment
)

select * from final

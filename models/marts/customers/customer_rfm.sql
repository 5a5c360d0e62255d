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

ranked as (
    -- rank() gives tied values the same (lowest) rank: scores never depend on row order
    select
        *,
        rank() over (order by recency_days desc) as recency_rank,
        rank() over (order by frequency) as frequency_rank,
        -- an unknown monetary value (no prices) gets no M score: ranked apart from the rest
        rank() over (partition by monetary is null order by monetary) as monetary_rank,
        count(*) over () as buyer_count,
        count(monetary) over () as priced_buyer_count
    from buyers
),

scored as (
    select
        *,
        cast(1 + floor({{ var('rfm_buckets') }} * (recency_rank - 1) / buyer_count) as integer)
            as r_score,
        cast(1 + floor({{ var('rfm_buckets') }} * (frequency_rank - 1) / buyer_count) as integer)
            as f_score,
        case when monetary is not null then cast(
            1 + floor({{ var('rfm_buckets') }} * (monetary_rank - 1) / priced_buyer_count)
            as integer
        ) end as m_score
    from ranked
),

combined as (
    select
        *,
        -- the mean of F and M, halves rounded up; F alone when M is unknown
        cast(floor((f_score + coalesce(m_score, f_score)) / 2.0 + 0.5) as integer) as fm_score
    from scored
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

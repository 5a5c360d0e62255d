-- Every (R score, FM score) cell of the score grid maps to exactly one known segment.
-- Fails with the cells that are missing, duplicated or mapped to an unknown segment.

with

segment_cells as (
    select * from {{ ref('rfm_segment_cells') }}
),

segments as (
    select * from {{ ref('rfm_segments') }}
),

grid as (
    select
        r_scores.score as r_score,
        fm_scores.score as fm_score
    from range(1, {{ var('rfm_buckets') }} + 1) as r_scores (score)
    cross join range(1, {{ var('rfm_buckets') }} + 1) as fm_scores (score)
),

checked as (
    select
        grid.r_score,
        grid.fm_score,
        count(segment_cells.rfm_segment) as mapped_segments,
        count(segments.rfm_segment) as known_segments
    from grid
    left join segment_cells
        on grid.r_score = segment_cells.r_score and grid.fm_score = segment_cells.fm_score
    left join segments on segment_cells.rfm_segment = segments.rfm_segment
    group by grid.r_score, grid.fm_score
),

final as (
    select
        r_score,
        fm_score,
        mapped_segments,
        known_segments
    from checked
    where mapped_segments != 1 or known_segments != 1
)

select * from final

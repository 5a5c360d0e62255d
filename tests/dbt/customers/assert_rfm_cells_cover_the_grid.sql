-- Every (R score, FM score) cell of the rfm_buckets × rfm_buckets grid (5 × 5 by default)
-- maps to exactly one segment, every segment is one of the 11 in rfm_segments, and no
-- cell lies outside the grid. Fails with the offending cells.

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
        coalesce(grid.r_score, segment_cells.r_score) as r_score,
        coalesce(grid.fm_score, segment_cells.fm_score) as fm_score,
        bool_or(grid.r_score is null) as is_outside_grid,
        count(segment_cells.rfm_segment) as mapped_segments,
        count(segments.rfm_segment) as known_segments
    from grid
    full outer join segment_cells
        on grid.r_score = segment_cells.r_score and grid.fm_score = segment_cells.fm_score
    left join segments on segment_cells.rfm_segment = segments.rfm_segment
    group by
        coalesce(grid.r_score, segment_cells.r_score),
        coalesce(grid.fm_score, segment_cells.fm_score)
),

final as (
    select
        r_score,
        fm_score,
        is_outside_grid,
        mapped_segments,
        known_segments
    from checked
    where is_outside_grid or mapped_segments != 1 or known_segments != 1
)

select * from final

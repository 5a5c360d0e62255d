{#- The RFM scoring rule (docs: rfm_score), one definition for the current RFM mart and the
    segment history: the rows of `buyers` (recency_days, frequency, monetary) with their
    R, F and M scores (1 – var rfm_buckets) and the FM score, ranked among the rows with the
    same `partition_by` columns (all rows when none). -#}
{% macro rfm_scores(buyers, partition_by=none) %}
{%- set within = 'partition by ' ~ partition_by ~ ' ' if partition_by else '' %}
{%- set buckets = var('rfm_buckets') %}
select
    *,
    -- the mean of F and M, halves rounded up; F alone when M is unknown
    cast(floor((f_score + coalesce(m_score, f_score)) / 2.0 + 0.5) as integer) as fm_score
from (
    select
        *,
        cast(1 + floor({{ buckets }} * (recency_rank - 1) / buyer_count) as integer)
            as r_score,
        cast(1 + floor({{ buckets }} * (frequency_rank - 1) / buyer_count) as integer)
            as f_score,
        case when monetary is not null then cast(
            1 + floor({{ buckets }} * (monetary_rank - 1) / priced_buyer_count)
            as integer
        ) end as m_score
    from (
        -- rank() gives tied values the same (lowest) rank: scores never depend on row order
        select
            *,
            rank() over ({{ within }}order by recency_days desc) as recency_rank,
            rank() over ({{ within }}order by frequency) as frequency_rank,
            -- an unknown monetary value (no prices) gets no M score: ranked apart from the rest
            rank() over (
                partition by {{ partition_by ~ ', ' if partition_by }}monetary is null
                order by monetary
            ) as monetary_rank,
            count(*) over ({{ within | trim }}) as buyer_count,
            count(monetary) over ({{ within | trim }}) as priced_buyer_count
        from {{ buyers }}
    ) as ranked
) as scored
{%- endmacro %}

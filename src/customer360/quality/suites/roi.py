"""The retention ROI suites: the Pulse ROI formula's arithmetic recomputed, overall and
by RFM segment."""

from __future__ import annotations

from customer360.quality.suites.checks import WARNING, Check, Suite, between, equal, in_set
from customer360.quality.suites.rules import Rules


def roi_suites(rules: Rules) -> list[Suite]:
    """The ROI of the retention campaign, overall and by RFM segment."""
    return [
        roi_suite(rules),
        roi_by_segment_suite(rules),
    ]


def roi_suite(rules: Rules) -> Suite:
    """The Pulse ROI formula's arithmetic, and its total value recomputed from customer_360."""
    share, min_churn = rules.var("roi_top_monetary_share"), rules.var("roi_min_churn_probability")
    ratio = rules.var("retention_cost_ratio")
    sql = f"""
        with buyers as (
            select
                churn_probability,
                (monetary - min(monetary) over ())
                / nullif(max(monetary) over () - min(monetary) over (), 0) as monetary_score,
                percent_rank() over (order by monetary desc) as monetary_rank_ratio
            from marts.customer_360
            where has_purchased
        ),
        recomputed as (
            select
                count(*) as targeted_customers,
                coalesce(sum(monetary_score * 100), 0) as total_value
            from buyers
            where monetary_rank_ratio < {share} and churn_probability > {min_churn}
        )
        select
            'retention_roi' as frame,
            roi.targeted_customers,
            recomputed.targeted_customers as recomputed_targeted_customers,
            cast(abs(roi.total_value - recomputed.total_value) as double) as total_value_error,
            cast(abs(roi.retention_cost - roi.total_value * {ratio}) as double)
                as retention_cost_error,
            cast(abs(roi.net_profit - (roi.total_value - roi.retention_cost)) as double)
                as net_profit_error,
            case when roi.retention_cost = 0 then 0 else
                abs(roi.roi_pct - roi.net_profit / roi.retention_cost * 100) end as roi_pct_error,
            cast(roi.top_monetary_share as double) as top_monetary_share,
            cast(roi.min_churn_probability as double) as min_churn_probability,
            cast(roi.retention_cost_ratio as double) as retention_cost_ratio
        from marts.retention_roi as roi
        cross join recomputed
    """
    tolerance = 1e-6
    return Suite(
        "roi",
        "retention_roi",
        "serving",
        sql,
        (
            Check("one_row", "ExpectTableRowCountToEqual", {"value": 1}),
            equal(
                "targeted_customers_recomputed",
                "targeted_customers",
                "recomputed_targeted_customers",
                notes="top roi_top_monetary_share of buyers by monetary with churn probability "
                "above roi_min_churn_probability, recounted from customer_360",
            ),
            between(
                "total_value_recomputed",
                "total_value_error",
                0,
                tolerance,
                column="total_value",
                notes="sum of monetary_score * 100 over the targeted customers, from customer_360",
            ),
            between(
                "retention_cost_is_ratio_of_value",
                "retention_cost_error",
                0,
                tolerance,
                column="retention_cost",
                notes="retention_cost = retention_cost_ratio * total_value",
            ),
            between(
                "net_profit_is_value_minus_cost",
                "net_profit_error",
                0,
                tolerance,
                column="net_profit",
                notes="net_profit = total_value - retention_cost",
            ),
            between(
                "roi_pct_is_profit_over_cost",
                "roi_pct_error",
                0,
                tolerance,
                column="roi_pct",
                notes="roi_pct = net_profit / retention_cost * 100",
            ),
            in_set(
                "built_with_validated_top_share",
                "top_monetary_share",
                [share],
                severity=WARNING,
                advice="pass validate the vars the build used (--vars)",
            ),
            in_set(
                "built_with_validated_min_churn",
                "min_churn_probability",
                [min_churn],
                severity=WARNING,
                advice="pass validate the vars the build used (--vars)",
            ),
            in_set(
                "built_with_validated_cost_ratio",
                "retention_cost_ratio",
                [ratio],
                severity=WARNING,
                advice="pass validate the vars the build used (--vars)",
            ),
        ),
        key="frame",
    )


def roi_by_segment_suite(rules: Rules) -> Suite:
    save, ratio = rules.var("retention_save_rate"), rules.var("retention_cost_ratio")
    sql = f"""
        select
            rfm_segment,
            cast(abs(expected_saved_value - expected_value_lost * {save}) as double)
                as expected_saved_value_error,
            cast(abs(retention_cost - monetary * {ratio}) as double) as retention_cost_error,
            cast(abs(net_expected_value - (expected_saved_value - retention_cost)) as double)
                as net_expected_value_error,
            case when coalesce(retention_cost, 0) = 0 then 0 else
                abs(roi_pct - net_expected_value / retention_cost * 100) end as roi_pct_error
        from marts.retention_roi_by_segment
    """
    # the amounts are rounded to decimal(18, 4): a difference of rounded figures may be off
    # by 0.0001; roi_pct is computed from the unrounded figures: within 0.01 points
    tolerance, points = 1e-4, 0.01
    return Suite(
        "roi",
        "retention_roi_by_segment",
        "serving",
        sql,
        (
            in_set("rfm_segment_in_rules_seed", "rfm_segment", rules.rfm_segments),
            between(
                "expected_saved_value_is_save_rate_of_risk",
                "expected_saved_value_error",
                0,
                tolerance,
                column="expected_saved_value",
                notes="expected_saved_value = expected_value_lost * retention_save_rate (± 0.0001: "
                "amounts are rounded to 4 decimals)",
            ),
            between(
                "retention_cost_is_ratio_of_monetary",
                "retention_cost_error",
                0,
                tolerance,
                column="retention_cost",
                notes="retention_cost = retention_cost_ratio * monetary",
            ),
            between(
                "net_expected_value_is_saved_minus_cost",
                "net_expected_value_error",
                0,
                tolerance,
                column="net_expected_value",
                notes="net_expected_value = expected_saved_value - retention_cost",
            ),
            between(
                "roi_pct_is_net_over_cost",
                "roi_pct_error",
                0,
                points,
                column="roi_pct",
                notes="roi_pct = net_expected_value / retention_cost * 100 (± 0.01 points)",
            ),
        ),
        key="rfm_segment",
    )

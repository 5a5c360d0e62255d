"""The customer mart suites: RFM scores and segments, churn predictions and risk bands,
personas and loyalty tiers."""

from __future__ import annotations

from customer360.quality.suites.checks import Check, Suite, between, in_set, not_null, where
from customer360.quality.suites.rules import Rules


def customer_suites(rules: Rules) -> list[Suite]:
    """RFM, churn, personas and tiers, one suite per mart."""
    buckets = rules.var("rfm_buckets")
    return [
        Suite(
            "rfm",
            "customer_rfm",
            "serving",
            "select customer_id, rfm_segment, r_score, f_score, m_score, fm_score "
            "from marts.customer_rfm",
            (
                *(
                    between(f"{score}_between_1_and_{buckets}", score, 1, buckets)
                    for score in ("r_score", "f_score", "m_score", "fm_score")
                ),
                not_null(
                    "rfm_segment_not_null",
                    "rfm_segment",
                    notes="every R/FM cell maps to a segment (rfm_segment_cells seed)",
                ),
                in_set(
                    "rfm_segment_in_rules_seed",
                    "rfm_segment",
                    rules.rfm_segments,
                    notes="seeds/rfm_segments.csv",
                ),
            ),
            key="customer_id",
        ),
        Suite(
            "churn",
            "churn_predictions",
            "serving",
            "select customer_id, churn_probability, churn_score, risk_band "
            "from marts.churn_predictions",
            (
                not_null("churn_probability_not_null", "churn_probability"),
                between("churn_probability_between_0_and_1", "churn_probability", 0, 1),
                between("churn_score_between_0_and_100", "churn_score", 0, 100),
                in_set(
                    "risk_band_in_bands_seed",
                    "risk_band",
                    [band for band, _, _ in rules.risk_bands],
                    notes="seeds/churn_risk_bands.csv",
                ),
                *risk_band_checks(rules),
            ),
            key="customer_id",
        ),
        Suite(
            "churn",
            "customer_360",
            "serving",
            "select customer_id, churn_probability, has_purchased, persona, tier "
            "from marts.customer_360",
            (
                between("churn_probability_between_0_and_1", "churn_probability", 0, 1),
                Check(
                    "buyers_have_a_persona",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": "persona", **where("has_purchased", True)},
                    notes="every customer with a purchase has a persona",
                ),
                Check(
                    "buyers_have_a_tier",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": "tier", **where("has_purchased", True)},
                    notes="every customer with a purchase has a loyalty tier",
                ),
            ),
            key="customer_id",
        ),
        Suite(
            "personas_tiers",
            "customer_segments",
            "serving",
            "select customer_id, persona from marts.customer_segments",
            (
                not_null("persona_not_null", "persona"),
                in_set(
                    "persona_in_personas_seed",
                    "persona",
                    rules.personas,
                    notes="seeds/segment_personas.csv",
                ),
            ),
            key="customer_id",
        ),
        Suite(
            "personas_tiers",
            "customer_tiers",
            "serving",
            "select customer_id, tier from marts.customer_tiers",
            (
                not_null("tier_not_null", "tier"),
                in_set("tier_in_tiers_seed", "tier", rules.tiers, notes="seeds/loyalty_tiers.csv"),
            ),
            key="customer_id",
        ),
    ]


def risk_band_checks(rules: Rules) -> list[Check]:
    """A probability belongs to the band with the highest minimum it reaches (strictly
    above it, or equal when the band includes its minimum) — as churn_predictions says."""
    checks = []
    bands = rules.risk_bands
    for index, (band, low, inclusive) in enumerate(bands):
        if index + 1 < len(bands):
            _, high, next_inclusive = bands[index + 1]
            high_kwargs = {"high": high, "strict_high": next_inclusive}
        else:
            high_kwargs = {"high": 1}
        checks.append(
            between(
                f"risk_band_{band}_matches_probability",
                "churn_probability",
                low,
                strict_low=not inclusive,
                kwargs=where("risk_band", band),
                notes="band limits from seeds/churn_risk_bands.csv",
                **high_kwargs,
            )
        )
    return checks

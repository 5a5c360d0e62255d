"""The product mart suites: dead stock, and the bundles mined from the baskets."""

from __future__ import annotations

from customer360.quality.suites.checks import (
    WARNING,
    Check,
    Suite,
    between,
    in_set,
    not_null,
    where,
)
from customer360.quality.suites.rules import Rules


def product_suites(rules: Rules) -> list[Suite]:
    """Stock health, and the bundles: their rules, thresholds and mining summary."""
    return [
        Suite(
            "products",
            "product_stock_health",
            "serving",
            "select product_id, sold_ratio, is_dead_stock from marts.product_stock_health",
            (
                between("sold_ratio_at_least_0", "sold_ratio", 0),
                not_null("is_dead_stock_not_null", "is_dead_stock"),
                Check(
                    "dead_stock_has_a_sold_ratio",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": "sold_ratio", **where("is_dead_stock", True)},
                    notes="a product without receipts has no ratio and is not dead stock",
                ),
                between(
                    "dead_stock_below_threshold",
                    "sold_ratio",
                    high=rules.var("dead_stock_ratio"),
                    strict_high=True,
                    kwargs=where("is_dead_stock", True),
                    notes="dead stock: sold ratio below dead_stock_ratio",
                ),
                between(
                    "other_stock_at_or_above_threshold",
                    "sold_ratio",
                    low=rules.var("dead_stock_ratio"),
                    kwargs=where("is_dead_stock", False),
                    notes="not dead stock: sold ratio at or above dead_stock_ratio (or "
                    "no receipts)",
                ),
            ),
            key="product_id",
        ),
        Suite(
            "bundles",
            "association_rules",
            "serving",
            "select rules.rule, rules.support, rules.confidence, rules.lift, "
            "rules.support - summary.min_support_used as support_above_min_support_used "
            "from ml.association_rules as rules "
            "cross join marts.bundle_mining_summary as summary",
            rule_threshold_checks(rules),
            key="rule",
        ),
        Suite(
            "bundles",
            "product_bundles",
            "serving",
            "select bundles.dead_stock_product_id || ' + ' || bundles.selling_product_id "
            "as bundle, bundles.support, bundles.confidence, bundles.lift, "
            "bundles.support - summary.min_support_used as support_above_min_support_used "
            "from marts.product_bundles as bundles "
            "cross join marts.bundle_mining_summary as summary",
            rule_threshold_checks(rules),
            key="bundle",
        ),
        bundle_summary_suite(rules),
    ]


def rule_threshold_checks(rules: Rules) -> tuple[Check, ...]:
    """Support at or above the support the build used (fixed, or chosen by auto: the same
    basket count over the same baskets, so the difference is exact), confidence and lift at
    or above their vars."""
    return (
        between(
            "support_at_least_min_support_used",
            "support_above_min_support_used",
            0,
            column="support",
            notes="bundle_mining_summary.min_support_used: var bundle_min_support, or auto's",
        ),
        between(
            "confidence_at_least_min_confidence",
            "confidence",
            rules.var("bundle_min_confidence"),
            1,
            notes="var bundle_min_confidence",
        ),
        between(
            "lift_at_least_min_lift",
            "lift",
            rules.var("bundle_min_lift"),
            notes="var bundle_min_lift",
        ),
    )


def bundle_summary_suite(rules: Rules) -> Suite:
    """The support the bundles were mined at: auto never below its floor nor above its
    start; fixed exactly the var; and built in the mode validate expects."""
    configured = rules.var("bundle_min_support")
    mode = "auto" if str(configured).strip().lower() == "auto" else "fixed"
    sql = """
        select
            'bundle_mining_summary' as frame,
            support_mode,
            min_support_used,
            case when support_mode = 'auto' then
                min_basket_count_used - least(min_support_baskets, baskets) end
                as basket_count_above_floor,
            case when support_mode = 'auto' then
                auto_start_support - min_support_used end as support_below_auto_start
        from marts.bundle_mining_summary
    """
    checks = [
        Check("one_row", "ExpectTableRowCountToEqual", {"value": 1}),
        between(
            "auto_support_at_least_the_floor",
            "basket_count_above_floor",
            0,
            column="min_basket_count_used",
            notes="auto: itemsets in at least bundle_min_support_baskets baskets",
        ),
        between(
            "auto_support_at_most_the_start",
            "support_below_auto_start",
            0,
            column="min_support_used",
            notes="auto: never above bundle_auto_start_support",
        ),
        in_set(
            "built_with_validated_support_mode",
            "support_mode",
            [mode],
            severity=WARNING,
            advice="pass validate the vars the build used (--vars)",
        ),
    ]
    if mode == "fixed":
        checks.append(
            in_set(
                "built_with_validated_min_support",
                "min_support_used",
                [float(configured)],
                severity=WARNING,
                advice="pass validate the vars the build used (--vars)",
            )
        )
    return Suite("bundles", "bundle_mining_summary", "serving", sql, tuple(checks), key="frame")

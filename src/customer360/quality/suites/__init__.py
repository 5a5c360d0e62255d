"""The expectation suites, as data: what `customer360 validate` checks and how severe a
failure is.

A `Suite` is one frame — a query over the landing zone or the serving copy that selects
only the columns its checks need — and the `Check`s run on it. A check names a Great
Expectations 1.x expectation class and its arguments; the runner builds the expectation,
streams the frame in record batches and combines the batches' results.

Severity: a failed `critical` check fails the command; a failed `warning` is reported
and stored but does not. Landing checks that staging already handles row by row (rows it
rejects into `marts.rejected_rows`) are warnings; a missing required column or a column
landed with an impossible type is critical. Every mart check encodes a business rule and
is critical.

One module per kind of suite: landing, customers, products, roi and counts; checks holds
the Check and Suite types and the builders, rules the seeds and thresholds.
"""

from __future__ import annotations

from customer360.quality.suites.checks import CRITICAL, WARNING, Check, Suite, between
from customer360.quality.suites.counts import counts_suite
from customer360.quality.suites.customers import customer_suites, risk_band_checks
from customer360.quality.suites.landing import landing_suites
from customer360.quality.suites.products import product_suites
from customer360.quality.suites.roi import roi_suites
from customer360.quality.suites.rules import Rules

__all__ = [
    "CRITICAL",
    "WARNING",
    "Check",
    "Rules",
    "Suite",
    "between",
    "counts_suite",
    "landing_suites",
    "mart_suites",
    "risk_band_checks",
]


def mart_suites(rules: Rules) -> list[Suite]:
    """Every mart suite, in the order validate runs and reports them."""
    return [*customer_suites(rules), *product_suites(rules), *roi_suites(rules), counts_suite()]

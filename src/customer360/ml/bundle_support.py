"""The support Apriori mines bundles at: a fixed share of baskets, or chosen (auto).

Auto rests on two facts. A rule's confidence and lift do not depend on the support
threshold, so the rules that pass `bundle_min_confidence` and `bundle_min_lift` only
grow in number as the support falls; and that number changes only at supports
k / baskets, k a basket count. So the largest support that yields at least `min_rules`
rules is the basket count of the `min_rules`-th most frequent rule, over the baskets.

The search starts at `start_support` (the method's reference support, 0.1), or at the
second most frequent product's basket count when that is lower (no rule is in more
baskets). When that gives too few rules it halves the basket count — never below
`floor_baskets` — until a run gives enough rules (or the floor is reached), and reads the
exact answer off that last run: every rule at or above the answer is among its rules.
Apriori therefore runs about log2(first count / answer) + 1 times, the last at a support
above half the answer, and the counting stays in DuckDB (`bundles.mine`); only the
frequent itemsets and their rules reach Python. The last run's itemsets at or above the
answer are the frequent itemsets at the support used, so they are kept with the choice
instead of being mined once more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from customer360.ml import bundles

AUTO = "auto"
FIXED = "fixed"

SELECTION_SCHEMA = pa.schema(
    [
        ("support_mode", pa.string()),
        ("baskets", pa.int64()),
        ("auto_start_support", pa.float64()),
        ("min_rules", pa.int64()),
        ("min_support_baskets", pa.int64()),
        ("floor_min_support", pa.float64()),
        ("min_support_used", pa.float64()),
        ("min_basket_count_used", pa.int64()),
        ("rules_at_support_used", pa.int64()),
        ("apriori_runs", pa.int64()),
        ("max_product_support", pa.float64()),
        ("what_to_try", pa.string()),
        ("frequent_itemsets", pa.list_(pa.struct(list(bundles.EMPTY_ITEMSETS)))),
    ]
)


@dataclass(frozen=True)
class BundleSettings:
    """The bundle vars. `min_support` None means auto."""

    min_support: float | None
    start_support: float
    min_rules: int
    floor_baskets: int
    min_confidence: float
    min_lift: float
    max_length: int

    @property
    def support_mode(self) -> str:
        return AUTO if self.min_support is None else FIXED

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> BundleSettings:
        """From the models' meta config (every value arrives as rendered text)."""
        return cls(
            min_support=parse_min_support(meta["min_support"]),
            start_support=float(meta["auto_start_support"]),
            min_rules=int(meta["min_rules"]),
            floor_baskets=max(1, int(meta["min_support_baskets"])),
            min_confidence=float(meta["min_confidence"]),
            min_lift=float(meta["min_lift"]),
            max_length=int(meta["max_itemset_length"]),
        )


def parse_min_support(value: Any) -> float | None:
    """`auto` (any case) gives None; otherwise a share of baskets in (0, 1]."""
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return None
    try:
        support = float(value)
    except (TypeError, ValueError):
        support = float("nan")
    if not 0 < support <= 1:
        raise ValueError(f"bundle_min_support must be 'auto' or a share in (0, 1], not {value!r}")
    return support


@dataclass(frozen=True)
class SupportChoice:
    """What the support search settled on."""

    support_mode: str
    baskets: int
    min_support_used: float
    min_basket_count_used: int
    rules_at_support_used: int
    apriori_runs: int
    max_product_support: float | None
    itemsets: pa.Table
    """Every itemset in at least `min_basket_count_used` baskets (bundles.EMPTY_ITEMSETS)."""


def largest_count_with_rules(
    rule_counts: Sequence[int], min_rules: int, lowest: int, highest: int
) -> int:
    """The largest basket count c in [lowest, highest] such that at least `min_rules` of
    the rules are in c baskets or more; `lowest` when no c is.

    `rule_counts` must hold every rule in at least `lowest` baskets."""
    if min_rules <= 0:
        return highest
    ranked = sorted(rule_counts, reverse=True)
    if len(ranked) < min_rules:
        return lowest
    return max(lowest, min(highest, ranked[min_rules - 1]))


def mine_rule_counts(
    connection: duckdb.DuckDBPyConnection, min_count: int, total: int, settings: BundleSettings
) -> tuple[pa.Table, list[int]]:
    """The itemsets of the prepared baskets in at least `min_count` baskets, and the
    basket count of every rule among them that passes confidence and lift."""
    itemsets = bundles.mine(connection, min_count, settings.max_length, total)
    found = bundles.rules(itemsets, total, settings.min_confidence, settings.min_lift)
    # support = basket_count / total exactly, so rounding gives the count back
    return itemsets, [round(support * total) for support in found.column("support").to_pylist()]


def choose_support(
    connection: duckdb.DuckDBPyConnection, baskets: str, settings: BundleSettings
) -> SupportChoice:
    """The support to mine `baskets` (a relation of basket_id, item) at: the fixed one,
    or auto's largest support from `start_support` down to the floor that yields
    `min_rules` rules (the floor when none does)."""
    total = bundles.prepare_baskets(connection, baskets)
    try:
        if total == 0:
            fallback = settings.min_support or settings.start_support
            empty = bundles.EMPTY_ITEMSETS.empty_table()
            return SupportChoice(settings.support_mode, 0, fallback, 0, 0, 0, None, empty)
        # the two highest single-product basket counts
        top, second = connection.execute(
            "select max(basket_count), coalesce(max(basket_count) filter (rank = 2), 0) from "
            "(select count(*) as basket_count, row_number() over (order by count(*) desc) "
            "as rank from apriori_baskets group by item)"
        ).fetchall()[0]
        if settings.min_support is not None:
            count = bundles.min_basket_count(settings.min_support, total)
            itemsets, found = mine_rule_counts(connection, count, total, settings)
            return SupportChoice(
                FIXED, total, settings.min_support, count, len(found), 1, top / total, itemsets
            )
        return auto_support(connection, total, settings, top, second)
    finally:
        bundles.drop_apriori_tables(connection)


def auto_support(
    connection: duckdb.DuckDBPyConnection,
    total: int,
    settings: BundleSettings,
    top: int,
    second: int,
) -> SupportChoice:
    """Auto's search over the prepared baskets; `top` and `second` are the two highest
    single-product basket counts."""
    floor = min(settings.floor_baskets, total)
    reference = bundles.min_basket_count(settings.start_support, total)
    start = max(reference, floor)
    # a rule has two products or more, so none is in more baskets than the second most
    # frequent product: the runs above that count would find nothing
    count = start if settings.min_rules <= 0 else max(floor, min(start, second))
    runs = 0
    while True:
        itemsets, found = mine_rule_counts(connection, count, total, settings)
        runs += 1
        if len(found) >= settings.min_rules or count <= floor:
            break
        count = max(floor, count // 2)
    chosen = largest_count_with_rules(found, settings.min_rules, lowest=count, highest=start)
    kept = sum(rule_count >= chosen for rule_count in found)
    # at the start's own count the support is the start (0.1 keeps the same itemsets as
    # 4 / 33 with 33 baskets), so auto never reports more than it
    used = settings.start_support if chosen == reference else chosen / total
    itemsets = itemsets.filter(pc.greater_equal(itemsets["basket_count"], chosen))
    return SupportChoice(AUTO, total, used, chosen, kept, runs, top / total, itemsets)


def what_to_try(choice: SupportChoice, settings: BundleSettings) -> str | None:
    """Advice when the search found no rule (or, in auto, fewer than `min_rules`)."""
    thresholds = f"confidence ≥ {settings.min_confidence:g} and lift ≥ {settings.min_lift:g}"
    if choice.baskets == 0:
        return "No baskets: land completed orders dated before the as-of date."
    top = f"the most frequent product is in {choice.max_product_support:.2%} of baskets"
    lower_rules = "lower bundle_min_confidence or bundle_min_lift"
    if settings.max_length < 2:
        lower_rules = "raise bundle_max_itemset_length to 2 or more (rules need two products)"
    if choice.support_mode == FIXED:
        if choice.rules_at_support_used:
            return None
        return (
            f"No rule at the fixed support {choice.min_support_used:g} with {thresholds}; "
            f"{top}. Set bundle_min_support to auto, or to a share below the most "
            f"frequent product's, or {lower_rules}."
        )
    if choice.rules_at_support_used >= settings.min_rules:
        return None
    found = (
        "No rule"
        if choice.rules_at_support_used == 0
        else f"Only {choice.rules_at_support_used} rules (bundle_min_rules is {settings.min_rules})"
    )
    return (
        f"{found} with itemsets in at least {choice.min_basket_count_used} baskets "
        f"(the floor bundle_min_support_baskets, support {choice.min_support_used:.4g}) "
        f"and {thresholds}; {top}. Lower bundle_min_support_baskets, or {lower_rules}."
    )


def selection_table(choice: SupportChoice, settings: BundleSettings) -> pa.Table:
    """One row: the support used, how it was chosen, what to try when it found little, and
    the frequent itemsets at that support (model frequent_itemsets has one row each)."""
    floor = settings.floor_baskets / choice.baskets if choice.baskets else None
    row = {
        "support_mode": choice.support_mode,
        "baskets": choice.baskets,
        "auto_start_support": settings.start_support,
        "min_rules": settings.min_rules,
        "min_support_baskets": settings.floor_baskets,
        "floor_min_support": floor,
        "min_support_used": choice.min_support_used,
        "min_basket_count_used": choice.min_basket_count_used,
        "rules_at_support_used": choice.rules_at_support_used,
        "apriori_runs": choice.apriori_runs,
        "max_product_support": choice.max_product_support,
        "what_to_try": what_to_try(choice, settings),
        "frequent_itemsets": choice.itemsets.to_pylist(),
    }
    return pa.Table.from_pylist([row], schema=SELECTION_SCHEMA)

"""Independent references for the bundle tests: mlxtend's `apriori` on a one-hot frame,
and association rules counted by hand from basket counts (no customer360 code)."""

from __future__ import annotations

import itertools

import pandas as pd
from mlxtend.frequent_patterns import apriori
from mlxtend.preprocessing import TransactionEncoder


def onehot(basket_list: list[list[str]]) -> pd.DataFrame:
    encoder = TransactionEncoder()
    return pd.DataFrame(encoder.fit(basket_list).transform(basket_list), columns=encoder.columns_)


def rule_counts_by_hand(
    itemsets: dict[frozenset, int], total: int, min_confidence: float, min_lift: float
) -> list[int]:
    """The basket count of every rule A -> C (A and C together a frequent itemset, both
    non-empty) with confidence and lift at least the thresholds, from basket counts."""
    counts = []
    for itemset, count in itemsets.items():
        for size in range(1, len(itemset)):
            for antecedent in map(frozenset, itertools.combinations(sorted(itemset), size)):
                confidence = count / itemsets[antecedent]
                lift = confidence / (itemsets[itemset - antecedent] / total)
                if confidence >= min_confidence and lift >= min_lift:
                    counts.append(count)
    return counts


def mlxtend_counts(basket_list: list[list[str]], min_count: int) -> dict[frozenset, int]:
    total = len(basket_list)
    found = apriori(
        onehot(basket_list), min_support=min_count / total, use_colnames=True, max_len=3
    )
    return {
        itemset: round(support * total)
        for itemset, support in zip(found["itemsets"], found["support"], strict=True)
    }

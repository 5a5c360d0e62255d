"""Churn prediction (probability, score and risk band) on point-in-time snapshots.

Features come strictly from before a cutoff and the label from the horizon after it
(`churn_snapshots`). The evaluation is honest twice over: the model is trained on an
earlier cutoff and measured on a later one, and on customers it never saw. Two baselines
are measured on the same test rows: recency alone, and the rule-based churn label.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = [
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "avg_gap_days",
    "last_gap_days",
    "store_visits",
    "active_days",
]
FAMILIES = ["logistic_regression", "gradient_boosting"]


def held_out_condition(seed: int, share: float) -> str:
    """SQL condition true for the held-out test customers: a fixed share of customers chosen
    by a hash of their id and the seed, so the same customer is always on the same side."""
    return f"hash(customer_id || '{seed}') % 1000 < {round(share * 1000)}"


def bounded_sample(relation, size: int, seed: int) -> pa.Table:
    """At most `size` rows of a relation of snapshot rows, as an Arrow table ordered by
    customer id: the rows with the smallest hash of customer id and seed (a hash other
    than the held-out split's), so the same data and seed always give the same sample,
    whatever the order of the rows, and a larger size keeps every row of a smaller one."""
    return (
        relation.order(f"hash(customer_id || '{seed}-sample'), customer_id")
        .limit(size)
        .order("customer_id")
        .arrow()
        .read_all()
    )


def make_model(family: str, seed: int):
    """The fixed candidate set: a scaled logistic regression and gradient-boosted trees.
    An unknown feature value (monetary value without prices) is NaN: both impute the
    training median and add a missing-value indicator, and drop a feature unknown for
    every training row. With every value known the imputer does nothing."""
    imputer = SimpleImputer(strategy="median", add_indicator=True)
    if family == "logistic_regression":
        return make_pipeline(imputer, StandardScaler(), LogisticRegression(max_iter=1000, C=1.0))
    if family == "gradient_boosting":
        return make_pipeline(
            imputer,
            HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.1, max_leaf_nodes=31, random_state=seed
            ),
        )
    raise ValueError(f"unknown model family {family!r}")


def design_matrix(table: pa.Table) -> np.ndarray:
    """ln(1 + x) of every feature; a missing gap (one purchase) becomes the tenure."""
    columns = {
        name: table.column(name).to_numpy(zero_copy_only=False).astype(float) for name in FEATURES
    }
    for gap in ("avg_gap_days", "last_gap_days"):
        columns[gap] = np.where(np.isnan(columns[gap]), columns["active_days"], columns[gap])
    return np.log1p(np.clip(np.column_stack([columns[name] for name in FEATURES]), 0, None))


def labels(table: pa.Table) -> np.ndarray:
    return table.column("is_churned").to_numpy(zero_copy_only=False).astype(int)


def rule_labels(table: pa.Table) -> np.ndarray:
    """The rule-based churn label at the snapshot, as churn_snapshots computes it in SQL
    (medians over the whole snapshot, not just these rows), as 0/1 scores; 0.5 where the
    rule is unknown (its monetary part without prices), a score that favours neither."""
    rule = table.column("is_churned_by_rule").to_numpy(zero_copy_only=False).astype(float)
    return np.where(np.isnan(rule), 0.5, rule)


def top_decile(y: np.ndarray, score: np.ndarray) -> tuple[float | None, float | None]:
    """Precision among the 10 % highest scores, and its lift over the base rate. Ties at the
    cut are broken by row order (rows arrive sorted by customer id)."""
    if len(y) == 0:
        return None, None
    count = max(1, math.ceil(len(y) / 10))
    top = np.argsort(-score, kind="stable")[:count]
    precision = float(y[top].mean())
    base_rate = float(y.mean())
    return precision, (precision / base_rate if base_rate > 0 else None)


def measure(y: np.ndarray, score: np.ndarray, is_probability: bool) -> dict[str, float | None]:
    both_classes = len(np.unique(y)) == 2
    precision, lift = top_decile(y, score)
    return {
        "auc": float(roc_auc_score(y, score)) if both_classes else None,
        "pr_auc": float(average_precision_score(y, score)) if both_classes else None,
        "brier": float(brier_score_loss(y, score)) if is_probability and len(y) else None,
        "top_decile_precision": precision,
        "top_decile_lift": lift,
    }


@dataclass
class Evaluation:
    family: str
    metrics: dict[str, float | None]
    candidates: dict[str, dict[str, float | None]]
    recency_baseline: dict[str, float | None]
    rule_baseline: dict[str, float | None]
    base_rate: float | None
    train_rows: int
    test_rows: int


def evaluate(train: pa.Table, test: pa.Table, seed: int) -> Evaluation:
    """Fit every candidate on `train`, measure on `test`, keep the best by AUC (then
    PR-AUC, then the order of FAMILIES), and measure both baselines on `test`."""
    x_train, y_train = design_matrix(train), labels(train)
    x_test, y_test = design_matrix(test), labels(test)
    candidates = {}
    for family in FAMILIES:
        if len(np.unique(y_train)) < 2 or len(y_test) == 0:
            candidates[family] = measure(y_test, np.zeros(len(y_test)), True)
            continue
        model = make_model(family, seed).fit(x_train, y_train)
        candidates[family] = measure(y_test, model.predict_proba(x_test)[:, 1], True)
    best = max(
        FAMILIES,
        key=lambda f: (candidates[f]["auc"] or 0, candidates[f]["pr_auc"] or 0, -FAMILIES.index(f)),
    )
    recency = test.column("recency_days").to_numpy(zero_copy_only=False).astype(float)
    return Evaluation(
        family=best,
        metrics=candidates[best],
        candidates=candidates,
        recency_baseline=measure(y_test, recency, False),
        rule_baseline=measure(y_test, rule_labels(test), False),
        base_rate=float(y_test.mean()) if len(y_test) else None,
        train_rows=len(y_train),
        test_rows=len(y_test),
    )


def snapshot_fingerprint(relation, condition: str) -> list:
    """Row count and an order-free hash of the snapshot rows meeting `condition`: every
    column a model reads (id, features, both labels). Equal fingerprints mean the rows a
    model would be trained or measured on are the same, so it need not be refitted."""
    columns = ", ".join(["customer_id", *FEATURES, "is_churned", "is_churned_by_rule"])
    [(count, digest)] = (
        relation.filter(condition)
        .aggregate(f"count(*), coalesce(sum(hash({columns})), 0)")
        .fetchall()
    )
    return [int(count), str(digest)]


def training_fingerprint(seed: int, fingerprint: dict) -> str:
    """A short hash of everything an evaluation depends on: the features, every candidate
    family's parameters, the seed and the data (`fingerprint`). The same value means the
    same evaluation, so a stored one can be reused."""
    payload = {
        "features": FEATURES,
        "candidates": {
            family: make_model(family, seed).get_params(deep=True) for family in FAMILIES
        },
        "data": fingerprint,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def model_version(family: str | None, seed: int, fingerprint: dict) -> str:
    """A short, stable hash of the features, the model parameters and the data."""
    payload = {
        "features": FEATURES,
        "family": family,
        "parameters": make_model(family, seed).get_params(deep=True) if family else {},
        "data": fingerprint,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fit(train: pa.Table, family: str, seed: int) -> Callable[[pa.RecordBatch], np.ndarray]:
    """A function giving the churn probability of each row of a batch of snapshot rows,
    from a model of `family` fitted on `train`."""
    y_train = labels(train)
    if len(np.unique(y_train)) < 2:  # one class only: its rate is the best estimate
        rate = float(y_train.mean()) if len(y_train) else 0.0
        return lambda batch: np.full(batch.num_rows, rate)
    model = make_model(family, seed).fit(design_matrix(train), y_train)
    return lambda batch: model.predict_proba(design_matrix(batch))[:, 1]

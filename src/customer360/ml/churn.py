"""Churn prediction (probability, score and risk band) on point-in-time snapshots.

Features come strictly from before a cutoff and the label from the horizon after it
(`churn_snapshots`). The evaluation is honest three times over: the candidate family,
its parameters and its calibration are chosen on a validation share of the training
customers (`churn_selection`); the chosen model is then trained on an earlier cutoff and
measured once on a later one, on customers it never saw. Two baselines are measured on
the same test rows: recency alone, and the rule-based churn label.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from sklearn.calibration import CalibratedClassifierCV
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
# the candidate set when the model's meta names none: each family with its defaults
DEFAULT_CANDIDATES = [{"family": family, "parameters": {}} for family in FAMILIES]


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


DEFAULT_PARAMETERS = {
    "logistic_regression": {"C": 1.0},
    "gradient_boosting": {"max_iter": 200, "learning_rate": 0.1, "max_leaf_nodes": 31},
}


def make_model(family: str, seed: int, parameters: dict | None = None):
    """A candidate: a scaled logistic regression or gradient-boosted trees, with the
    family's default parameters overridden by `parameters` (the candidate grid comes from
    the models' meta). An unknown feature value (monetary value without prices) is NaN:
    both impute the training median and add a missing-value indicator, and drop a feature
    unknown for every training row. With every value known the imputer does nothing."""
    imputer = SimpleImputer(strategy="median", add_indicator=True)
    if family not in DEFAULT_PARAMETERS:
        raise ValueError(f"unknown model family {family!r}")
    chosen = {**DEFAULT_PARAMETERS[family], **(parameters or {})}
    if family == "logistic_regression":
        return make_pipeline(imputer, StandardScaler(), LogisticRegression(max_iter=1000, **chosen))
    return make_pipeline(imputer, HistGradientBoostingClassifier(random_state=seed, **chosen))


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


def training_fingerprint(seed: int, fingerprint: dict, candidates: list | None = None) -> str:
    """A short hash of everything an evaluation depends on: the features, every candidate's
    parameters, the seed and the data and selection settings (`fingerprint`). The same
    value means the same evaluation, so a stored one can be reused."""
    payload = {
        "features": FEATURES,
        "candidates": [
            make_model(c["family"], seed, c.get("parameters")).get_params(deep=True)
            for c in candidates or DEFAULT_CANDIDATES
        ],
        "data": fingerprint,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def model_version(
    family: str | None,
    seed: int,
    fingerprint: dict,
    parameters: dict | None = None,
    calibration: str = "none",
) -> str:
    """A short, stable hash of the features, the model parameters, its calibration and
    the data."""
    payload = {
        "features": FEATURES,
        "family": family,
        "parameters": make_model(family, seed, parameters).get_params(deep=True) if family else {},
        "calibration": calibration,
        "data": fingerprint,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


CALIBRATIONS = ["none", "sigmoid", "isotonic"]


def estimator(family: str, seed: int, parameters: dict | None, calibration: str, folds: int):
    """The model of a family, calibrated (Platt's sigmoid or isotonic regression, fitted by
    scikit-learn's CalibratedClassifierCV on out-of-fold predictions of `folds` unshuffled
    folds, the model itself then fitted on all rows) or not (`none`)."""
    model = make_model(family, seed, parameters)
    if calibration == "none":
        return model
    if calibration not in CALIBRATIONS:
        raise ValueError(f"unknown calibration {calibration!r}")
    return CalibratedClassifierCV(model, method=calibration, cv=folds, ensemble=False)


@dataclass
class FittedModel:
    """A fitted churn model: `model(batch)` is the churn probability of each snapshot row.
    `reference` is each feature's typical value (the lower median of the training design
    matrix), the value a feature is moved to when its contribution is measured."""

    estimator: object | None  # None: one class in training, its rate is the probability
    rate: float
    reference: np.ndarray

    def __call__(self, batch) -> np.ndarray:
        return self.probability(design_matrix(batch))

    def probability(self, x: np.ndarray) -> np.ndarray:
        if self.estimator is None:
            return np.full(len(x), self.rate)
        return self.estimator.predict_proba(x)[:, 1]

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """The uncalibrated model's log-odds (its decision function): a calibration is a
        monotone map of it, so it ranks the features' effects the same way."""
        model = self.estimator
        if isinstance(model, CalibratedClassifierCV):
            model = model.calibrated_classifiers_[0].estimator
        return model.decision_function(x)


def fit(
    train: pa.Table,
    family: str,
    seed: int,
    parameters: dict | None = None,
    calibration: str = "none",
    folds: int = 3,
) -> FittedModel:
    """A model of `family` (with `parameters` and `calibration`) fitted on `train`."""
    x_train, y_train = design_matrix(train), labels(train)
    with warnings.catch_warnings():  # a feature unknown for every row has no median
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = np.nanquantile(x_train, 0.5, axis=0, method="lower") if len(x_train) else None
    if len(np.unique(y_train)) < 2:  # one class only: its rate is the best estimate
        rate = float(y_train.mean()) if len(y_train) else 0.0
        return FittedModel(None, rate, reference)
    if calibration != "none" and np.bincount(y_train).min() < folds:
        calibration = "none"  # too few rows of a class to calibrate on out-of-fold predictions
    model = estimator(family, seed, parameters, calibration, folds).fit(x_train, y_train)
    return FittedModel(model, float(y_train.mean()), reference)


@dataclass(frozen=True)
class ProductionModel:
    """The model that scores customers: the current evaluation's choice, trained on the
    latest labelable snapshot (`trained_on`)."""

    model: FittedModel
    version: str
    family: str
    trained_on: object


def production_model(
    snapshots, runs, sample_size: int, seed: int, calibration_folds: int
) -> ProductionModel | None:
    """The family, parameters and calibration of the current version in `runs`
    (churn_model_runs), fitted on (a bounded sample of) the latest labelable snapshot of
    `snapshots` (churn_snapshots); None without a labelled snapshot or a chosen family.
    Both arguments are DuckDB relations: only the training sample reaches Python."""
    [(version, family, parameters, calibration)] = (
        runs.filter("is_current")
        .select("model_version, model_family, model_parameters, calibration_method")
        .fetchall()
    )
    labelled = snapshots.filter("is_labelable").aggregate("max(cutoff_date)").fetchall()[0][0]
    if labelled is None or family is None:
        return None
    training = snapshots.filter(f"cutoff_date = '{labelled}'").select(
        ", ".join(["customer_id", *FEATURES, "is_churned"])
    )
    fitted = fit(
        bounded_sample(training, sample_size, seed),
        family,
        seed,
        json.loads(parameters or "{}"),
        calibration or "none",
        calibration_folds,
    )
    return ProductionModel(fitted, version, family, labelled)

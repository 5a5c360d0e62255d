"""Churn model selection on validation, then one measurement on the test.

The training rows (customers outside the held-out test share, at the training cutoff) are
split again by a hash of customer id: a validation share of them is set aside, every
candidate (a family with its parameters) is fitted on the rest and measured there, and the
best by validation AUC is kept. Calibration (none, Platt's sigmoid or isotonic) is chosen
the same way, by the validation Brier score. Only then is the chosen model fitted on all the
training rows and scored on the test rows, once: nothing chosen ever sees the test.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from sklearn.metrics import log_loss

from customer360.ml.churn import (
    CALIBRATIONS,
    DEFAULT_CANDIDATES,
    design_matrix,
    estimator,
    fit,
    labels,
    make_model,
    measure,
    rule_labels,
)

CALIBRATION_BINS = 10


@dataclass(frozen=True)
class Settings:
    """How the model is chosen (from the models' meta): the candidates, the validation
    share of the training customers, the folds of the calibration's out-of-fold
    predictions, and the AUC gain over recency alone a model must exceed to beat it."""

    candidates: list = field(default_factory=lambda: list(DEFAULT_CANDIDATES))
    validation_share: float = 0.2
    calibration_folds: int = 3
    min_auc_gain_over_recency: float = 0.01

    def fingerprint(self) -> dict:
        return {
            "validation_share": self.validation_share,
            "calibration_folds": self.calibration_folds,
            "calibrations": CALIBRATIONS,
            "min_auc_gain_over_recency": self.min_auc_gain_over_recency,
        }


def candidate_name(candidate: dict) -> str:
    """`family(parameter=value, ...)`, parameters in name order."""
    parameters = candidate.get("parameters") or {}
    inside = ", ".join(f"{name}={parameters[name]}" for name in sorted(parameters))
    return f"{candidate['family']}({inside})"


def validation_mask(customer_ids: list[str], seed: int, share: float) -> np.ndarray:
    """True for the validation customers: a fixed share chosen by a hash of the seed and the
    customer id (BLAKE2b, so the split depends on neither row order nor the platform)."""
    limit = round(share * 1000)
    return np.array(
        [
            int.from_bytes(
                hashlib.blake2b(f"{seed}-validation:{customer}".encode(), digest_size=8).digest(),
                "big",
            )
            % 1000
            < limit
            for customer in customer_ids
        ],
        dtype=bool,
    )


def probability_metrics(y: np.ndarray, probability: np.ndarray) -> dict[str, float | None]:
    metrics = measure(y, probability, True)
    both_classes = len(np.unique(y)) == 2
    metrics["log_loss"] = (
        float(log_loss(y, np.clip(probability, 1e-15, 1 - 1e-15), labels=[0, 1]))
        if both_classes
        else None
    )
    return metrics


@dataclass
class Selection:
    family: str
    parameters: dict
    calibration: str
    validation: dict[str, float | None]  # the chosen model, as calibrated, on validation
    candidates: dict[str, dict[str, float | None]]  # every candidate on validation
    calibrations: dict[str, dict[str, float | None]]  # the chosen candidate, each calibration
    fit_rows: int
    validation_rows: int


def select(train: pa.Table, seed: int, settings: Settings) -> Selection:
    """Choose the candidate and its calibration on a validation share of `train` only."""
    mask = validation_mask(train.column("customer_id").to_pylist(), seed, settings.validation_share)
    fitting, validation = train.filter(pa.array(~mask)), train.filter(pa.array(mask))
    x_fit, y_fit = design_matrix(fitting), labels(fitting)
    x_val, y_val = design_matrix(validation), labels(validation)
    first = settings.candidates[0]
    if len(np.unique(y_fit)) < 2 or len(np.unique(y_val)) < 2:  # nothing to compare on
        return Selection(
            first["family"],
            first.get("parameters") or {},
            "none",
            {},
            {},
            {},
            len(y_fit),
            len(y_val),
        )
    predictions = []
    for candidate in settings.candidates:
        model = make_model(candidate["family"], seed, candidate.get("parameters"))
        predictions.append(model.fit(x_fit, y_fit).predict_proba(x_val)[:, 1])
    scored = [probability_metrics(y_val, p) for p in predictions]
    best = max(
        range(len(scored)),
        key=lambda i: (scored[i]["auc"] or 0, scored[i]["pr_auc"] or 0, -i),
    )
    chosen = settings.candidates[best]
    calibrated = {"none": predictions[best]}
    if np.bincount(y_fit).min() >= settings.calibration_folds:
        for method in CALIBRATIONS[1:]:
            model = estimator(
                chosen["family"],
                seed,
                chosen.get("parameters"),
                method,
                settings.calibration_folds,
            )
            calibrated[method] = model.fit(x_fit, y_fit).predict_proba(x_val)[:, 1]
    calibrations = {method: probability_metrics(y_val, p) for method, p in calibrated.items()}
    # calibrate only when it lowers the validation Brier score (ties keep the model as is)
    method = min(calibrations, key=lambda m: (calibrations[m]["brier"], CALIBRATIONS.index(m)))
    return Selection(
        family=chosen["family"],
        parameters=chosen.get("parameters") or {},
        calibration=method,
        validation=calibrations[method],
        candidates={
            candidate_name(c): metrics
            for c, metrics in zip(settings.candidates, scored, strict=True)
        },
        calibrations=calibrations,
        fit_rows=len(y_fit),
        validation_rows=len(y_val),
    )


def calibration_bins(y: np.ndarray, probability: np.ndarray) -> list[dict]:
    """The reliability curve: CALIBRATION_BINS equal-width bins of the predicted
    probability (the last one includes 1), each with its rows, their mean probability and
    their observed churn rate (null for an empty bin)."""
    index = np.minimum((probability * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    bins = []
    for number in range(CALIBRATION_BINS):
        inside = index == number
        count = int(inside.sum())
        bins.append(
            {
                "bin": number + 1,
                "lower_probability": number / CALIBRATION_BINS,
                "upper_probability": (number + 1) / CALIBRATION_BINS,
                "customers": count,
                "mean_probability": float(probability[inside].mean()) if count else None,
                "observed_churn_rate": float(y[inside].mean()) if count else None,
            }
        )
    return bins


def beats_baseline(auc: float | None, baseline_auc: float | None, min_gain: float) -> bool | None:
    """True when the model's AUC exceeds the baseline's by more than `min_gain`; null when
    either is unknown."""
    if auc is None or baseline_auc is None or math.isnan(auc) or math.isnan(baseline_auc):
        return None
    return auc - baseline_auc > min_gain


@dataclass
class Evaluation:
    selection: Selection
    metrics: dict[str, float | None]
    bins: list[dict]
    recency_baseline: dict[str, float | None]
    rule_baseline: dict[str, float | None]
    beats_recency_baseline: bool | None
    base_rate: float | None
    train_rows: int
    test_rows: int

    @property
    def family(self) -> str:
        return self.selection.family


def evaluate(train: pa.Table, test: pa.Table, seed: int, settings: Settings) -> Evaluation:
    """Choose on `train` alone (`select`), fit the choice on all of `train`, and measure it
    and both baselines once on `test`."""
    selection = select(train, seed, settings)
    y_test = labels(test)
    model = fit(
        train,
        selection.family,
        seed,
        selection.parameters,
        selection.calibration,
        settings.calibration_folds,
    )
    probability = model(test) if len(y_test) else np.zeros(0)
    metrics = probability_metrics(y_test, probability)
    recency = test.column("recency_days").to_numpy(zero_copy_only=False).astype(float)
    recency_baseline = measure(y_test, recency, False)
    return Evaluation(
        selection=selection,
        metrics=metrics,
        bins=calibration_bins(y_test, probability),
        recency_baseline=recency_baseline,
        rule_baseline=measure(y_test, rule_labels(test), False),
        beats_recency_baseline=beats_baseline(
            metrics["auc"], recency_baseline["auc"], settings.min_auc_gain_over_recency
        ),
        base_rate=float(y_test.mean()) if len(y_test) else None,
        train_rows=train.num_rows,
        test_rows=len(y_test),
    )

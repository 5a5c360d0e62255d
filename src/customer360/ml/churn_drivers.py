"""The top drivers of each customer's churn score, as feature codes and readable text.

A feature's contribution is how much the model's log-odds (before any calibration, which is
a monotone map of them) fall when that feature alone is moved to its typical value (the
training median): f(x) - f(x with feature j at its median). For the logistic regression
this is exactly coefficient * (standardised value - standardised median); for gradient
boosting it costs one prediction per feature. Positive contributions raise the churn risk.
The drivers explain why a customer's score differs from a typical customer's (every feature
at its median): for a customer scored above that, the features raising the risk most; below
it, those lowering it most. A feature moving the score the other way is never a driver.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from customer360.ml.churn import FEATURES, FittedModel, design_matrix

DRIVER_COUNT = 3
LABELS = {
    "recency_days": "Days since last purchase",
    "frequency": "Purchases",
    "monetary": "Net spend",
    "avg_order_value": "Average purchase value",
    "avg_gap_days": "Average days between purchases",
    "last_gap_days": "Days between the last two purchases",
    "store_visits": "Store visits",
    "active_days": "Days since first purchase",
}
GAPS = ("avg_gap_days", "last_gap_days")  # a one-purchase customer's gap is their tenure


def contributions(model: FittedModel, x: np.ndarray) -> np.ndarray:
    """Rows by features: the fall of the log-odds when each feature is at its median."""
    base = model.log_odds(x)
    result = np.empty_like(x)
    for column in range(x.shape[1]):
        moved = x.copy()
        moved[:, column] = model.reference[column]
        result[:, column] = base - model.log_odds(moved)
    return result


def describe(feature: str, value: float, typical: float, contribution: float, one_purchase: bool):
    """E.g. `Days since last purchase is high (212 vs typical 45), raising the churn risk`."""
    label = LABELS[feature]
    effect = "raising" if contribution > 0 else "lowering"
    if np.isnan(value):
        return f"{label} is unknown, {effect} the churn risk"
    level = "high" if value > typical else "low"
    if one_purchase and feature in GAPS:
        return (
            f"{label}: one purchase only, counted as the {value:,.0f} days since it "
            f"(typical {typical:,.0f}), {effect} the churn risk"
        )
    return f"{label} is {level} ({value:,.0f} vs typical {typical:,.0f}), {effect} the churn risk"


def toward_score(model: FittedModel, x: np.ndarray, contribution: np.ndarray) -> np.ndarray:
    """The contributions signed towards each row's own score: positive when a feature moves
    the log-odds the way the row differs from the typical customer's."""
    typical = model.log_odds(model.reference[np.newaxis, :])[0]
    direction = np.where(model.log_odds(x) >= typical, 1.0, -1.0)
    return contribution * direction[:, np.newaxis]


def top_drivers(model: FittedModel, batch: pa.RecordBatch | pa.Table) -> list[pa.Array]:
    """DRIVER_COUNT pairs of columns (feature code, text) for the rows of a batch: the
    largest contributions towards the row's score first (ties in feature order); null past
    the features that move it that way, and everywhere for a model without features."""
    rows = batch.num_rows
    if model.estimator is None:
        return [pa.nulls(rows, pa.string()) for _ in range(2 * DRIVER_COUNT)]
    x = design_matrix(batch)
    contribution = contributions(model, x)
    signed = toward_score(model, x, contribution)
    order = np.argsort(-signed, axis=1, kind="stable")[:, :DRIVER_COUNT]
    values, typical = np.expm1(x), np.expm1(model.reference)
    one_purchase = np.asarray(batch.column("frequency").to_numpy(zero_copy_only=False)) <= 1
    columns = []
    for rank in range(DRIVER_COUNT):
        codes, texts = [], []
        for row in range(rows):
            column = order[row, rank]
            effect = contribution[row, column]
            if not signed[row, column] > 0:  # moves the score the other way, or not at all
                codes.append(None)
                texts.append(None)
                continue
            feature = FEATURES[column]
            codes.append(feature)
            texts.append(
                describe(feature, values[row, column], typical[column], effect, one_purchase[row])
            )
        columns += [pa.array(codes, pa.string()), pa.array(texts, pa.string())]
    return columns

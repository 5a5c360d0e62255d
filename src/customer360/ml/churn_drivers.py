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
import pyarrow.compute as pc

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


def contributions(model: FittedModel, x: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """Rows by features: the fall of the log-odds (`base`, computed when not given) when
    each feature is at its median."""
    base = model.log_odds(x) if base is None else base
    result = np.empty_like(x)
    for column in range(x.shape[1]):
        moved = x.copy()
        moved[:, column] = model.reference[column]
        result[:, column] = base - model.log_odds(moved)
    return result


def numbers(values: np.ndarray) -> pa.Array:
    """Whole numbers with thousands separators, each distinct value formatted once."""
    distinct, index = np.unique(np.round(values), return_inverse=True)
    return pa.array([f"{value:,.0f}" for value in distinct], pa.string()).take(index.reshape(-1))


def describe(
    features: np.ndarray,
    values: np.ndarray,
    typical: np.ndarray,
    contribution: np.ndarray,
    one_purchase: np.ndarray,
) -> pa.Array:
    """The drivers of many rows in words, built by Arrow without a Python loop over rows,
    e.g. `Days since last purchase is high (212 vs typical 45), raising the churn risk`; a
    one-purchase customer's gap is the days since that purchase, an unknown value says so."""
    label = pa.array([LABELS[name] for name in FEATURES], pa.string()).take(features)
    effect = pa.array(np.where(contribution > 0, "raising", "lowering"), pa.string())
    known = ~np.isnan(values)
    value, usual = numbers(np.where(known, values, 0)), numbers(typical)
    level = pa.array(np.where(values > typical, "high", "low"), pa.string())
    compared = pc.binary_join_element_wise(
        label,
        " is ",
        level,
        " (",
        value,
        " vs typical ",
        usual,
        "), ",
        effect,
        " the churn risk",
        "",
    )
    one_purchase_gap = pc.binary_join_element_wise(
        label,
        ": one purchase only, counted as the ",
        value,
        " days since it (typical ",
        usual,
        "), ",
        effect,
        " the churn risk",
        "",
    )
    unknown = pc.binary_join_element_wise(label, " is unknown, ", effect, " the churn risk", "")
    gap = one_purchase & np.isin(features, [FEATURES.index(name) for name in GAPS])
    return pc.if_else(
        pa.array(~known), unknown, pc.if_else(pa.array(gap), one_purchase_gap, compared)
    )


def toward_score(model: FittedModel, base: np.ndarray, contribution: np.ndarray) -> np.ndarray:
    """The contributions signed towards each row's own score (log-odds `base`): positive
    when a feature moves the log-odds the way the row differs from the typical customer's."""
    typical = model.log_odds(model.reference[np.newaxis, :])[0]
    direction = np.where(base >= typical, 1.0, -1.0)
    return contribution * direction[:, np.newaxis]


def top_drivers(model: FittedModel, batch: pa.RecordBatch | pa.Table) -> list[pa.Array]:
    """DRIVER_COUNT pairs of columns (feature code, text) for the rows of a batch: the
    largest contributions towards the row's score first (ties in feature order); null past
    the features that move it that way, and everywhere for a model without features."""
    if model.estimator is None:
        return [pa.nulls(batch.num_rows, pa.string()) for _ in range(2 * DRIVER_COUNT)]
    x = design_matrix(batch)
    base = model.log_odds(x)
    contribution = contributions(model, x, base)
    signed = toward_score(model, base, contribution)
    order = np.argsort(-signed, axis=1, kind="stable")[:, :DRIVER_COUNT]
    values, typical = np.expm1(x), np.expm1(model.reference)
    one_purchase = np.asarray(batch.column("frequency").to_numpy(zero_copy_only=False)) <= 1
    rows = np.arange(batch.num_rows)
    columns = []
    for rank in range(DRIVER_COUNT):
        feature = order[:, rank]
        missing = pa.array(~(signed[rows, feature] > 0))  # moves the score the other way
        codes = pa.array(np.array(FEATURES, dtype=object)[feature], pa.string())
        texts = describe(
            feature,
            values[rows, feature],
            typical[feature],
            contribution[rows, feature],
            one_purchase,
        )
        columns += [
            pc.if_else(missing, pa.scalar(None, pa.string()), codes),
            pc.if_else(missing, pa.scalar(None, pa.string()), texts),
        ]
    return columns

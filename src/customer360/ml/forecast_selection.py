"""Choosing the sales forecast's model on a validation window, then measuring it once on
the held-out months after it.

The fitted months of a series are split in time: the last `holdout` months are held out,
the `validation` months before them choose the model, and the months before those fit
the candidates for that choice. Every candidate (customer360.ml.forecast_candidates)
that can be fitted on those first months predicts the validation months; the one with the
lowest mean absolute error is chosen (an error in currency, defined even for a month
without revenue; on a tie the simpler candidate). `choose_model` is handed only the
months before the holdout, so the held-out months cannot sway the choice.

The chosen model is then fitted on every month before the holdout and predicts the
held-out months once: its MAPE and R² there are the figures it is reported with, beside
the naive forecast's MAPE on the same months and the skill over naive,
1 - MAPE(model) / MAPE(naive): above 0 the model beats repeating the last month, 1 is a
perfect forecast, below 0 it does worse than naive.

A short series has short windows: each is at most a quarter of the fitted months, so at
least half of them fit the candidates, and a window under two months is not used (no
choice: the naive forecast; no holdout: no holdout figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import mean_absolute_percentage_error, r2_score

from customer360.ml.forecast_candidates import BY_NAME, CANDIDATES, NAIVE, Candidate, History

# Each window is at most this share of the fitted months (a quarter: half remains to fit).
MAX_WINDOW_SHARE = 0.25
MIN_WINDOW_MONTHS = 2
# Validation errors closer than this share of the mean revenue are equal (float rounding).
TIE_RATIO = 1e-6


@dataclass(frozen=True)
class Windows:
    """Months used to choose the model (validation) and to measure it (holdout)."""

    validation: int
    holdout: int


def windows(fitted: int, validation: int, holdout: int) -> Windows:
    """The windows for a series of `fitted` months: as asked, shortened for a short series."""
    cap = int(fitted * MAX_WINDOW_SHARE)

    def size(wanted: int) -> int:
        months = min(wanted, cap)
        return months if months >= MIN_WINDOW_MONTHS else 0

    return Windows(size(validation), size(holdout))


def point_forecast(candidate: Candidate, history: History, months: list) -> np.ndarray:
    """The candidate's revenue for `months`, never below 0 (the interval level does not
    change the prediction itself)."""
    return candidate.predict(history, months, 0.5).floored().mean


def validation_errors(history: History, validation: int) -> dict[str, np.ndarray]:
    """Absolute errors on the last `validation` months of `history` of every candidate
    that can be fitted on the months before them, in the candidates' order (simplest
    first); a candidate that cannot predict every month is left out."""
    fit = history.head(len(history) - validation)
    months, actual = history.months[-validation:], history.values[-validation:]
    errors = {}
    for candidate in CANDIDATES:
        if candidate.fits(fit):
            error = np.abs(actual - point_forecast(candidate, fit, months))
            if np.all(np.isfinite(error)):
                errors[candidate.name] = error
    return errors


def choose_model(history: History, validation: int) -> str:
    """The simplest candidate whose mean absolute error on the last `validation` months
    of `history` is within one standard error of the lowest (the one-standard-error rule:
    a few months cannot tell closer errors apart, and the simpler model extrapolates less).
    `history` ends where the holdout starts: pure, it reads nothing else. Without a
    validation window the naive forecast is the choice."""
    if validation == 0:
        return NAIVE.name
    errors = validation_errors(history, validation)
    means = {name: float(np.mean(error)) for name, error in errors.items()}
    best = min(means, key=means.__getitem__)
    standard_error = float(np.std(errors[best], ddof=1) / np.sqrt(validation))
    rounding = TIE_RATIO * float(np.mean(np.abs(history.values[-validation:])))
    return next(
        name for name, mean in means.items() if mean <= means[best] + standard_error + rounding
    )


@dataclass(frozen=True)
class HoldoutScores:
    """The chosen model's figures on the held-out months (None: not measured)."""

    mape: float | None = None
    r2: float | None = None
    naive_mape: float | None = None
    skill_over_naive: float | None = None


def percentage_error(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """MAPE as a ratio; None when a month has no revenue (its percentage is undefined) or
    a prediction is unknown."""
    if np.any(actual == 0) or not np.all(np.isfinite(predicted)):
        return None
    return float(mean_absolute_percentage_error(actual, predicted))


def holdout_scores(history: History, holdout: int, model: str) -> HoldoutScores:
    """The model and the naive forecast fitted on the months before the last `holdout`
    ones, measured on those."""
    if holdout == 0:
        return HoldoutScores()
    fit = history.head(len(history) - holdout)
    months, actual = history.months[-holdout:], history.values[-holdout:]
    predicted = point_forecast(BY_NAME[model], fit, months)
    mape = percentage_error(actual, predicted)
    naive_mape = percentage_error(actual, point_forecast(NAIVE, fit, months))
    varied = len(set(actual)) > 1 and np.all(np.isfinite(predicted))
    return HoldoutScores(
        mape=mape,
        r2=float(r2_score(actual, predicted)) if varied else None,
        naive_mape=naive_mape,
        skill_over_naive=(1 - mape / naive_mape if mape is not None and naive_mape else None),
    )


@dataclass(frozen=True)
class Evaluation:
    """The chosen model (None: nothing to choose from), its windows and figures."""

    model: str | None
    windows: Windows
    scores: HoldoutScores


def evaluate(history: History, validation: int, holdout: int) -> Evaluation:
    """Choose on the months before the holdout, then measure on the holdout."""
    sizes = windows(len(history), validation, holdout)
    model = choose_model(history.head(len(history) - sizes.holdout), sizes.validation)
    return Evaluation(model, sizes, holdout_scores(history, sizes.holdout, model))

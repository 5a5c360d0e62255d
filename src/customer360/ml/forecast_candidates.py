"""The candidate models of the sales forecast, each with its prediction interval.

Every candidate takes the fitted months of a series (full, fully priced months, in
calendar order; see customer360.ml.forecast) and predicts revenue for any later calendar
months, with a prediction interval at a given level:

- **naive**: the last fitted month's revenue, repeated. The benchmark every other model
  must beat: it is what a person would write down without a model.
- **seasonal naive**: the revenue of the same calendar month in the latest year that has
  it; only with two years of months, so that a year's pattern has been seen twice.
- **linear trend** and **linear trend + month of year**: least squares on the month index
  (and, with two years of months, one term per calendar month).
- **simple exponential smoothing**, **Holt damped trend** and **Holt-Winters** (damped
  trend and additive month-of-year season, two years of months): the additive-error
  exponential-smoothing (ETS) models of statsmodels, fitted by maximum likelihood.

The intervals are the textbook ones for each method: for naive and seasonal naive the
normal interval of a random walk on the month-to-month (year-to-year) changes, growing
with the square root of the steps ahead; for the regressions the ordinary least squares
interval of a new observation; for exponential smoothing statsmodels' exact interval of
the additive-error model. Nothing is simulated, so the same data always give the same
figures.

Exponential smoothing needs evenly spaced months: it is fitted on the latest run of
consecutive fitted months (a month whose lines are not all priced breaks the run). The
other candidates read the calendar of every fitted month, so a gap does not shift them.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

YEAR = 12
# A seasonal candidate sees every calendar month at least twice before it is fitted.
SEASONAL_MONTHS = 2 * YEAR


def month_index(month: dt.date) -> int:
    return month.year * YEAR + month.month - 1


def steps_after(last: dt.date, months: list[dt.date]) -> np.ndarray:
    """How many months after `last` each of `months` is (1 for the next month)."""
    return np.array([month_index(month) - month_index(last) for month in months])


@dataclass(frozen=True)
class History:
    """The fitted months of a series (full, fully priced) and their revenue, in calendar
    order; a month that was not fitted is absent, not 0."""

    months: list[dt.date]
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.months)

    def head(self, count: int) -> History:
        """The first `count` months: what was known before the months after them."""
        return History(self.months[:count], self.values[:count])

    def latest_run(self) -> np.ndarray:
        """The revenue of the latest run of consecutive fitted months."""
        index = steps_after(self.months[0], self.months)
        breaks = np.flatnonzero(np.diff(index) != 1)
        start = breaks[-1] + 1 if len(breaks) else 0
        return self.values[start:]


@dataclass(frozen=True)
class Prediction:
    """Predicted revenue and its interval (NaN where the interval is unknown)."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def floored(self) -> Prediction:
        """Revenue is never below 0: the prediction and its interval are cut at 0."""
        return Prediction(*(np.maximum(part, 0.0) for part in (self.mean, self.lower, self.upper)))


def normal_interval(mean: np.ndarray, scale: np.ndarray, level: float) -> Prediction:
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return Prediction(mean, mean - z * scale, mean + z * scale)


def residual_scale(changes: np.ndarray) -> float:
    """Root mean square of a benchmark's in-sample errors; NaN without any."""
    return float(np.sqrt(np.mean(changes**2))) if len(changes) else float("nan")


def naive(history: History, months: list[dt.date], level: float) -> Prediction:
    steps = steps_after(history.months[-1], months)
    mean = np.full(len(months), float(history.values[-1]))
    scale = residual_scale(np.diff(history.latest_run()))
    return normal_interval(mean, scale * np.sqrt(steps), level)


def seasonal_naive(history: History, months: list[dt.date], level: float) -> Prediction:
    """NaN for a calendar month no fitted month has (an unknown, never 0)."""
    by_index = dict(zip(map(month_index, history.months), history.values, strict=True))
    latest = {month.month: month_index(month) for month in history.months}
    seen = np.array([latest.get(month.month, -1) for month in months])
    mean = np.array([by_index.get(index, np.nan) for index in seen], float)
    years_back = (np.array([month_index(month) for month in months]) - seen) // YEAR
    changes = np.array(
        [
            value - by_index[index - YEAR]
            for index, value in by_index.items()
            if index - YEAR in by_index
        ]
    )
    return normal_interval(mean, residual_scale(changes) * np.sqrt(years_back), level)


def regression_design(months: list[dt.date], origin: dt.date, seasonal: bool) -> np.ndarray:
    """A constant, the months since `origin` and, when seasonal, one 0/1 term per calendar
    month from February on (January is the constant's)."""
    columns = [np.ones(len(months)), steps_after(origin, months).astype(float)]
    if seasonal:
        columns += [np.array([month.month == k for month in months], float) for k in range(2, 13)]
    return np.column_stack(columns)


def least_squares(
    history: History, months: list[dt.date], level: float, seasonal: bool
) -> Prediction:
    origin = history.months[0]
    fit = OLS(history.values, regression_design(history.months, origin, seasonal)).fit()
    frame = fit.get_prediction(regression_design(months, origin, seasonal)).summary_frame(
        alpha=1 - level
    )
    return Prediction(
        frame["mean"].to_numpy(), frame["obs_ci_lower"].to_numpy(), frame["obs_ci_upper"].to_numpy()
    )


def linear_trend(history: History, months: list[dt.date], level: float) -> Prediction:
    return least_squares(history, months, level, seasonal=False)


def linear_trend_seasonal(history: History, months: list[dt.date], level: float) -> Prediction:
    return least_squares(history, months, level, seasonal=True)


def smoothing(history: History, months: list[dt.date], level: float, **spec) -> Prediction:
    """An additive-error ETS model fitted on the latest run of consecutive months, its
    smoothing weights and (unless `spec` sets them by heuristic) initial states by
    maximum likelihood."""
    run = history.latest_run()
    steps = steps_after(history.months[-1], months)
    with warnings.catch_warnings():
        # a short series often stops the optimiser at its iteration limit; the fit is
        # still the best found, and the validation window judges it like any other
        warnings.simplefilter("ignore", ConvergenceWarning)
        # a pandas series: statsmodels' ETS prediction reads its index
        fit = ETSModel(pd.Series(run), error="add", **spec).fit(disp=False)
    frame = fit.get_prediction(start=len(run), end=len(run) + steps.max() - 1).summary_frame(
        alpha=1 - level
    )
    rows = steps - 1
    return Prediction(
        frame["mean"].to_numpy()[rows],
        frame["pi_lower"].to_numpy()[rows],
        frame["pi_upper"].to_numpy()[rows],
    )


def simple_smoothing(history: History, months: list[dt.date], level: float) -> Prediction:
    return smoothing(history, months, level)


def holt_damped(history: History, months: list[dt.date], level: float) -> Prediction:
    return smoothing(history, months, level, trend="add", damped_trend=True)


def holt_winters(history: History, months: list[dt.date], level: float) -> Prediction:
    """The 14 initial states (level, trend, 12 months) come from the first two years
    (statsmodels' heuristic initialisation) instead of being estimated: on two or three
    years of months, estimating them too is slow and fits noise."""
    return smoothing(
        history,
        months,
        level,
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=YEAR,
        initialization_method="heuristic",
    )


@dataclass(frozen=True)
class Candidate:
    """A model and the fewest months it is fitted on: a regression needs a few more months
    than terms, an exponential smoothing about two months per estimated parameter (its
    smoothing weights and initial states), a seasonal model two years."""

    name: str
    predict: Callable[[History, list[dt.date], float], Prediction]
    min_months: int
    needs_consecutive_months: bool = False

    def fits(self, history: History) -> bool:
        months = len(history.latest_run()) if self.needs_consecutive_months else len(history)
        return months >= self.min_months


# In order of simplicity: on a tie the simpler model is kept.
CANDIDATES = [
    Candidate("naive", naive, 2),
    Candidate("seasonal naive", seasonal_naive, SEASONAL_MONTHS),
    Candidate("simple exponential smoothing", simple_smoothing, 4, True),
    Candidate("linear trend", linear_trend, 4),
    Candidate("Holt damped trend", holt_damped, 10, True),
    Candidate("linear trend + month of year", linear_trend_seasonal, SEASONAL_MONTHS),
    Candidate("Holt-Winters", holt_winters, SEASONAL_MONTHS, True),
]
BY_NAME = {candidate.name: candidate for candidate in CANDIDATES}
NAIVE = BY_NAME["naive"]

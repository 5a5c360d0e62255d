"""Monthly revenue forecast of all customers: candidate models chosen on a validation
window, measured once on the held-out months after it, with prediction intervals.

The candidates (naive, seasonal naive, linear trend with or without month-of-year terms,
simple exponential smoothing, Holt damped trend, Holt-Winters) are in
customer360.ml.forecast_candidates; the choice and the holdout figures in
customer360.ml.forecast_selection. The chosen model is fitted again on every fitted month
to forecast. A forecast is never below 0, and a month no model can predict is null.

Only full months with a known revenue train or measure the models: a partial month (the
data covers only some of its days: the first month usually starts mid-month, and the
as-of date may fall inside the last) would read as a drop in sales, and a month whose
lines are not all priced has an unknown share of its revenue missing. Those months are
still returned as actual months, flagged, but the calendar keeps counting them, so the
fit skips them without shifting the months after them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from customer360.ml.forecast_candidates import BY_NAME, YEAR, History, month_index
from customer360.ml.forecast_selection import Evaluation, HoldoutScores, Windows, evaluate

SCHEMA = pa.schema(
    [
        ("series", pa.string()),
        ("month_start", pa.date32()),
        ("is_forecast", pa.bool_()),
        ("forecast_model", pa.string()),
        ("revenue", pa.float64()),
        ("predicted_revenue", pa.float64()),
        ("predicted_revenue_lower", pa.float64()),
        ("predicted_revenue_upper", pa.float64()),
        ("prediction_interval_ratio", pa.float64()),
        ("holdout_mape", pa.float64()),
        ("naive_holdout_mape", pa.float64()),
        ("skill_over_naive", pa.float64()),
        ("holdout_r2", pa.float64()),
        ("training_months", pa.int32()),
        ("validation_months", pa.int32()),
        ("holdout_months", pa.int32()),
        ("price_coverage_ratio", pa.float64()),
        ("covered_days", pa.int32()),
        ("period_days", pa.int32()),
        ("is_partial_period", pa.bool_()),
    ]
)
# A forecast needs two fitted months: one month gives no change to size an interval on.
MIN_FORECAST_MONTHS = 2


@dataclass(frozen=True)
class Settings:
    """Months forecast ahead, the validation and holdout windows asked for (shortened
    for a short series), and the prediction interval's nominal coverage (0-1)."""

    horizon: int
    validation: int
    holdout: int
    interval_ratio: float


def add_months(month: dt.date, count: int) -> dt.date:
    index = month_index(month) + count
    return dt.date(index // YEAR, index % YEAR + 1, 1)


@dataclass(frozen=True)
class Month:
    """One actual month of a series: its revenue (None = unknown: no line has a price),
    the share of its purchase lines with a price (None = no purchase, revenue 0) and
    how many of its days the data covers."""

    month_start: dt.date
    revenue: float | None
    price_coverage_ratio: float | None
    covered_days: int
    period_days: int
    is_partial_period: bool

    @property
    def is_fitted(self) -> bool:
        """Trains and measures the model: a full month whose every line has a price."""
        fully_priced = self.price_coverage_ratio is None or self.price_coverage_ratio >= 1
        return not self.is_partial_period and self.revenue is not None and fully_priced


def training_series(series: list[Month]) -> History:
    """The months the models are fitted and measured on (full, fully priced) and their
    revenue, in calendar order."""
    fitted = [month for month in series if month.is_fitted]
    return History(
        [month.month_start for month in fitted],
        np.asarray([month.revenue for month in fitted], float),
    )


def known(value: float) -> float | None:
    """A figure, or None (null) when it is unknown: never a silent 0."""
    return float(value) if np.isfinite(value) else None


def forecast_rows(
    name: str, series: list[Month], history: History, settings: Settings, model: str
) -> list[dict]:
    """The forecast months after the last actual month, from `model` fitted on every
    fitted month."""
    future = [add_months(series[-1].month_start, step) for step in range(1, settings.horizon + 1)]
    predicted = BY_NAME[model].predict(history, future, settings.interval_ratio).floored()
    return [
        {
            "series": name,
            "month_start": month,
            "is_forecast": True,
            "predicted_revenue": known(mean),
            "predicted_revenue_lower": known(lower),
            "predicted_revenue_upper": known(upper),
        }
        for month, mean, lower, upper in zip(
            future, predicted.mean, predicted.lower, predicted.upper, strict=True
        )
    ]


def actual_rows(name: str, series: list[Month]) -> list[dict]:
    return [
        {
            "series": name,
            "month_start": month.month_start,
            "is_forecast": False,
            "revenue": month.revenue,
            "price_coverage_ratio": month.price_coverage_ratio,
            "covered_days": month.covered_days,
            "period_days": month.period_days,
            "is_partial_period": month.is_partial_period,
        }
        for month in series
    ]


def forecast_series(name: str, series: list[Month], settings: Settings) -> list[dict]:
    """Actual months, then `settings.horizon` forecast months after the last actual one,
    with the chosen model and its holdout figures on every row; nothing is forecast from
    fewer than two fitted months."""
    history = training_series(series)
    rows = actual_rows(name, series)
    evaluation = Evaluation(None, Windows(0, 0), HoldoutScores())
    if len(history) >= MIN_FORECAST_MONTHS:
        evaluation = evaluate(history, settings.validation, settings.holdout)
        rows += forecast_rows(name, series, history, settings, evaluation.model)
    scores = evaluation.scores
    for row in rows:
        row.update(
            forecast_model=evaluation.model,
            prediction_interval_ratio=settings.interval_ratio if evaluation.model else None,
            holdout_mape=scores.mape,
            naive_holdout_mape=scores.naive_mape,
            skill_over_naive=scores.skill_over_naive,
            holdout_r2=scores.r2,
            training_months=len(history),
            validation_months=evaluation.windows.validation,
            holdout_months=evaluation.windows.holdout,
        )
    return rows


def monthly_series(part: pa.Table, coverage: dict[dt.date, dict]) -> list[Month]:
    """One series' months, from its first month to the data's last one; a month with no
    purchase has revenue 0."""
    by_month = {row["month_start"]: row for row in part.to_pylist()}
    last = max(coverage) if coverage else max(by_month)
    months = [min(by_month)]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    series = []
    for month in months:
        if month not in coverage:
            raise ValueError(f"month {month} is not in the coverage table")
        row = by_month.get(month, {"revenue": 0.0, "price_coverage_ratio": None})
        series.append(
            Month(
                month,
                row["revenue"],
                row["price_coverage_ratio"],
                coverage[month]["covered_days"],
                coverage[month]["period_days"],
                coverage[month]["is_partial_period"],
            )
        )
    return series


def forecast(monthly: pa.Table, coverage: pa.Table, settings: Settings) -> pa.Table:
    """`monthly` has series, month_start, revenue (null = unknown) and
    price_coverage_ratio, one row per series and month with purchases; `coverage` has
    month_start, covered_days, period_days and is_partial_period for every month the
    data touches (int_period_coverage)."""
    covered = {row["month_start"]: row for row in coverage.to_pylist()}
    rows: list[dict] = []
    for name in sorted(set(monthly.column("series").to_pylist())):
        part = monthly.filter(pc.equal(monthly["series"], name))
        rows += forecast_series(name, monthly_series(part, covered), settings)
    return pa.Table.from_pylist(rows, schema=SCHEMA)

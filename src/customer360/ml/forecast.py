"""Monthly revenue forecast: linear regression on the trend and
the month of the year, measured on held-out final months before it forecasts.

Each series (the total and every segment) is fitted on its own. Month-of-year terms are
used only when the series has at least two years of training months; shorter series get
the trend alone.

Only full months with a known revenue train or measure the model: a partial month (the
data covers only some of its days: the first month usually starts mid-month, and the
as-of date may fall inside the last) would read as a drop in sales, and a month whose
lines are not all priced has an unknown share of its revenue missing. Those months are
still returned as actual months, flagged, but the trend index keeps counting them, so
the fit skips them without shifting the calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_percentage_error, r2_score

SCHEMA = pa.schema(
    [
        ("series", pa.string()),
        ("month_start", pa.date32()),
        ("is_forecast", pa.bool_()),
        ("revenue", pa.float64()),
        ("predicted_revenue", pa.float64()),
        ("holdout_r2", pa.float64()),
        ("holdout_mape", pa.float64()),
        ("training_months", pa.int32()),
        ("price_coverage_ratio", pa.float64()),
        ("covered_days", pa.int32()),
        ("period_days", pa.int32()),
        ("is_partial_period", pa.bool_()),
    ]
)


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


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def design(months: list[dt.date], origin: dt.date, seasonal: bool) -> np.ndarray:
    trend = np.array([[(m.year - origin.year) * 12 + m.month - origin.month] for m in months])
    if not seasonal:
        return trend.astype(float)
    dummies = np.array([[m.month == k for k in range(2, 13)] for m in months], dtype=float)
    return np.hstack([trend, dummies])


def fit_predict(months: list[dt.date], revenue: np.ndarray, future: list[dt.date]) -> np.ndarray:
    seasonal = len(months) >= 24
    model = LinearRegression().fit(design(months, months[0], seasonal), revenue)
    return model.predict(design(future, months[0], seasonal))


def training_series(series: list[Month]) -> tuple[list[dt.date], np.ndarray]:
    """The months the model is fitted and measured on (full, fully priced) and their
    revenue, in calendar order."""
    fitted = [month for month in series if month.is_fitted]
    return [month.month_start for month in fitted], np.asarray(
        [month.revenue for month in fitted], float
    )


def holdout_metrics(
    months: list[dt.date], values: np.ndarray, holdout: int
) -> tuple[float | None, float | None]:
    """R² and MAPE on the last `holdout` training months, fitted on the ones before."""
    if holdout <= 0 or len(months) < holdout + 3:
        return None, None
    predicted = fit_predict(months[:-holdout], values[:-holdout], months[-holdout:])
    actual = values[-holdout:]
    r2 = float(r2_score(actual, predicted)) if len(set(actual)) > 1 else None
    mape = float(mean_absolute_percentage_error(actual, predicted)) if np.all(actual != 0) else None
    return r2, mape


def forecast_series(name: str, series: list[Month], horizon: int, holdout: int) -> list[dict]:
    """Actual months, then `horizon` forecast months after the last actual one, with the
    held-out R² and MAPE; fitted on the full, fully priced months only."""
    months, values = training_series(series)
    r2, mape = holdout_metrics(months, values, holdout)
    rows = [
        {
            "series": name,
            "month_start": month.month_start,
            "is_forecast": False,
            "revenue": month.revenue,
            "predicted_revenue": None,
            "price_coverage_ratio": month.price_coverage_ratio,
            "covered_days": month.covered_days,
            "period_days": month.period_days,
            "is_partial_period": month.is_partial_period,
        }
        for month in series
    ]
    if len(months) >= 2:
        future = [add_months(series[-1].month_start, step) for step in range(1, horizon + 1)]
        for month, value in zip(future, fit_predict(months, values, future), strict=True):
            rows.append(
                {
                    "series": name,
                    "month_start": month,
                    "is_forecast": True,
                    "revenue": None,
                    "predicted_revenue": max(float(value), 0.0),
                    "price_coverage_ratio": None,
                    "covered_days": None,
                    "period_days": None,
                    "is_partial_period": None,
                }
            )
    for row in rows:
        row.update(holdout_r2=r2, holdout_mape=mape, training_months=len(months))
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


def forecast(monthly: pa.Table, coverage: pa.Table, horizon: int, holdout: int) -> pa.Table:
    """`monthly` has series, month_start, revenue (null = unknown) and
    price_coverage_ratio, one row per series and month with purchases; `coverage` has
    month_start, covered_days, period_days and is_partial_period for every month the
    data touches (int_period_coverage)."""
    covered = {row["month_start"]: row for row in coverage.to_pylist()}
    rows: list[dict] = []
    for name in sorted(set(monthly.column("series").to_pylist())):
        part = monthly.filter(pc.equal(monthly["series"], name))
        rows += forecast_series(name, monthly_series(part, covered), horizon, holdout)
    return pa.Table.from_pylist(rows, schema=SCHEMA)

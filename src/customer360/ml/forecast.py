"""Monthly revenue forecast (document 001's roadmap): linear regression on the trend and
the month of the year, measured on held-out final months before it forecasts.

Each series (the total and every segment) is fitted on its own. Month-of-year terms are
used only when the series has at least two years of training months; shorter series get
the trend alone.
"""

from __future__ import annotations

import datetime as dt

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
    ]
)


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


def forecast_series(
    name: str, months: list[dt.date], revenue: list[float], horizon: int, holdout: int
) -> list[dict]:
    """Actual months, then `horizon` forecast months, with the held-out R² and MAPE."""
    values = np.asarray(revenue, float)
    r2 = mape = None
    if len(months) >= holdout + 3 and holdout > 0:
        train, test = months[:-holdout], months[-holdout:]
        predicted = fit_predict(train, values[:-holdout], test)
        if len(set(values[-holdout:])) > 1:
            r2 = float(r2_score(values[-holdout:], predicted))
        if np.all(values[-holdout:] != 0):
            mape = float(mean_absolute_percentage_error(values[-holdout:], predicted))
    rows = [
        {"series": name, "month_start": month, "is_forecast": False, "revenue": float(value),
         "predicted_revenue": None}
        for month, value in zip(months, values, strict=True)
    ]  # fmt: skip
    if len(months) >= 2:
        future = [add_months(months[-1], step) for step in range(1, horizon + 1)]
        for month, value in zip(future, fit_predict(months, values, future), strict=True):
            rows.append({"series": name, "month_start": month, "is_forecast": True,
                         "revenue": None, "predicted_revenue": max(float(value), 0.0)})  # fmt: skip
    for row in rows:
        row.update(holdout_r2=r2, holdout_mape=mape, training_months=len(months))
    return rows


def forecast(monthly: pa.Table, horizon: int, holdout: int) -> pa.Table:
    """`monthly` has series, month_start and revenue, one row per series and complete
    month (missing months count as 0)."""
    rows: list[dict] = []
    for name in sorted(set(monthly.column("series").to_pylist())):
        part = monthly.filter(pc.equal(monthly["series"], name))
        by_month = dict(zip(part["month_start"].to_pylist(), part["revenue"].to_pylist(),
                            strict=True))  # fmt: skip
        first, last = min(by_month), max(by_month)
        months = [first]
        while months[-1] < last:
            months.append(add_months(months[-1], 1))
        revenue = [float(by_month.get(month) or 0.0) for month in months]
        rows += forecast_series(name, months, revenue, horizon, holdout)
    return pa.Table.from_pylist(rows, schema=SCHEMA)

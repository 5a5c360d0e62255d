"""The sales forecast (customer360.ml.forecast): on series with a planted trend, season or
level the right family of models is chosen on the validation months, the choice never
reads the held-out months, forecasts and intervals are never below 0, and the issue's
failure (a launch spike then a plateau forecast as 0) does not come back."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from customer360.ml import forecast, forecast_candidates, forecast_selection
from customer360.ml.forecast_candidates import History

SETTINGS = forecast.Settings(horizon=6, validation=6, holdout=6, interval_ratio=0.8)
SEASONAL_MODELS = {"seasonal naive", "linear trend + month of year", "Holt-Winters"}
TREND_MODELS = {"linear trend", "Holt damped trend"}
LEVEL_MODELS = {"naive", "simple exponential smoothing"}


def months_from(start: dt.date, count: int) -> list[dt.date]:
    return [forecast.add_months(start, step) for step in range(count)]


def full_months(months: list[dt.date]) -> pa.Table:
    """A coverage table in which the data covers every day of every month."""
    days = [calendar.monthrange(month.year, month.month)[1] for month in months]
    return pa.table(
        {
            "month_start": months,
            "covered_days": days,
            "period_days": days,
            "is_partial_period": [False] * len(months),
        }
    )


def monthly_revenue(series: str, months: list[dt.date], revenue: list) -> pa.Table:
    return pa.table(
        {
            "series": [series] * len(months),
            "month_start": months,
            "revenue": revenue,
            "price_coverage_ratio": [1.0] * len(months),
        }
    )


def run(revenue: list[float], settings: forecast.Settings = SETTINGS) -> list[dict]:
    """The forecast table's rows for one series of full months from January 2021."""
    months = months_from(dt.date(2021, 1, 1), len(revenue))
    table = monthly_revenue("All customers", months, list(revenue))
    return forecast.forecast(table, full_months(months), settings).to_pylist()


def ahead(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row["is_forecast"]]


def planted(kind: str, seed: int, count: int) -> np.ndarray:
    """Revenue with a known shape and normal noise (a fixed seed)."""
    noise = np.random.default_rng(seed).normal(0, 1, count)
    step = np.arange(count)
    if kind == "season":  # a year's pattern around a constant level, no trend
        return 1000 + 300 * np.sin(2 * np.pi * step / 12) + 15 * noise
    if kind == "trend":  # a straight line, no season
        return 200 + 25 * step + 10 * noise
    return 1000 + 50 * noise  # a level, noise around it


@pytest.mark.parametrize("seed", range(5))
def test_a_seasonal_series_is_forecast_by_a_seasonal_model(seed: int) -> None:
    """Three years: the candidates are compared after two years, so the seasonal ones can
    be fitted, and one of them wins."""
    rows = run(list(planted("season", seed, 36)))
    assert rows[0]["forecast_model"] in SEASONAL_MODELS
    assert rows[0]["skill_over_naive"] > 0.5  # far better than repeating the last month


@pytest.mark.parametrize("seed", range(5))
def test_a_linear_trend_is_forecast_by_a_trend_model(seed: int) -> None:
    rows = run(list(planted("trend", seed, 30)))
    assert rows[0]["forecast_model"] in TREND_MODELS
    assert rows[0]["skill_over_naive"] > 0


@pytest.mark.parametrize("seed", range(5))
def test_a_flat_noisy_series_is_forecast_by_a_level_model(seed: int) -> None:
    rows = run(list(planted("level", seed, 30)))
    assert rows[0]["forecast_model"] in LEVEL_MODELS


def test_the_choice_does_not_read_the_held_out_months() -> None:
    """Changing the held-out months changes the holdout figures, never the model: the
    choice is a function of the months before the holdout alone."""
    revenue = planted("season", 0, 36)
    history = History(months_from(dt.date(2021, 1, 1), 36), revenue)
    sizes = forecast_selection.windows(36, 6, 6)
    before = forecast_selection.choose_model(history.head(36 - sizes.holdout), sizes.validation)
    for changed_holdout in (revenue[-6:] * 3, revenue[-6:][::-1], np.full(6, 1.0)):
        changed = np.concatenate([revenue[:-6], changed_holdout])
        evaluation = forecast_selection.evaluate(History(history.months, changed), 6, 6)
        assert evaluation.model == before
    figures = {
        forecast_selection.evaluate(History(history.months, values), 6, 6).scores.mape
        for values in (revenue, np.concatenate([revenue[:-6], revenue[-6:] * 3]))
    }
    assert len(figures) == 2  # the holdout is measured: it does change the figures


def test_a_short_series_gets_shorter_windows_and_a_very_short_one_the_naive_forecast() -> None:
    assert forecast_selection.windows(40, 6, 6) == forecast_selection.Windows(6, 6)
    assert forecast_selection.windows(12, 6, 6) == forecast_selection.Windows(3, 3)
    assert forecast_selection.windows(7, 6, 6) == forecast_selection.Windows(0, 0)
    rows = run([10.0, 20, 30, 40, 50], forecast.Settings(2, 6, 6, 0.8))
    assert rows[0]["forecast_model"] == "naive"
    assert (rows[0]["validation_months"], rows[0]["holdout_months"]) == (0, 0)
    assert rows[0]["holdout_r2"] is None and rows[0]["skill_over_naive"] is None
    assert [row["predicted_revenue"] for row in ahead(rows)] == [50.0, 50.0]


def test_forecasts_and_intervals_are_never_below_zero() -> None:
    """A series falling towards 0: whatever is chosen, no forecast month or bound is
    negative, and every one is known."""
    revenue = list(np.maximum(1000 - 45 * np.arange(24) + planted("level", 3, 24) - 1000, 5))
    for row in ahead(run(revenue)):
        assert row["predicted_revenue"] is not None and row["predicted_revenue"] >= 0
        assert 0 <= row["predicted_revenue_lower"] <= row["predicted_revenue"]
        assert row["predicted_revenue"] <= row["predicted_revenue_upper"]


def test_the_naive_interval_is_a_random_walk_interval() -> None:
    """Month-to-month changes of 10 either way: their root mean square is 10, so the 80 %
    interval is the last month plus or minus z(0.9) * 10 * sqrt(h) for h months ahead."""
    revenue = [100.0, 110, 100, 110, 100, 110]
    history = History(months_from(dt.date(2021, 1, 1), 6), np.array(revenue))
    future = months_from(dt.date(2021, 7, 1), 3)
    predicted = forecast_candidates.naive(history, future, 0.8)
    half_width = 1.2815515655446004 * 10 * np.sqrt([1, 2, 3])
    np.testing.assert_allclose(predicted.mean, 110.0)
    np.testing.assert_allclose(predicted.upper - predicted.mean, half_width)
    np.testing.assert_allclose(predicted.mean - predicted.lower, half_width)


def test_a_launch_spike_then_a_plateau_is_not_forecast_as_zero() -> None:
    """The issue's failure: a year that opens with a launch spike and settles on a
    plateau. A straight line through it falls below 0 (the old forecast clipped it to 0 for
    every month); the chosen model must stay on the plateau, near the naive forecast's
    accuracy on the months that follow."""
    year = [300.0, 380, 460, 180, 130, 120, 110, 115, 105, 100, 110, 105]
    following = np.array([90.0, 95, 100, 85, 95, 105])
    history = History(months_from(dt.date(1997, 1, 1), 12), np.array(year))
    future = months_from(dt.date(1998, 1, 1), 6)
    straight_line = forecast_candidates.linear_trend(history, future, 0.8).mean
    assert straight_line[0] > 0 and (straight_line[1:] < 0).all()  # the shape

    rows = run(year)
    predicted = np.array([row["predicted_revenue"] for row in ahead(rows)])
    assert (predicted > 0).all()
    naive_error = np.mean(np.abs(following - year[-1]) / following)
    assert np.mean(np.abs(following - predicted) / following) <= 1.5 * naive_error
    assert rows[0]["skill_over_naive"] is not None


def test_the_same_series_gives_the_same_table() -> None:
    revenue = list(planted("season", 1, 36))
    assert run(revenue) == run(revenue)


def test_the_forecast_recovers_a_known_trend_and_season() -> None:
    months = months_from(dt.date(2022, 1, 1), 36)
    season = {1: -20.0, 7: 30.0}
    revenue = [1000 + 10 * i + season.get(m.month, 0.0) for i, m in enumerate(months)]
    table = monthly_revenue("All", months, revenue)
    settings = forecast.Settings(horizon=7, validation=6, holdout=6, interval_ratio=0.8)
    result = forecast.forecast(table, full_months(months), settings).to_pylist()
    assert result[0]["forecast_model"] == "linear trend + month of year"
    assert result[0]["holdout_r2"] == pytest.approx(1.0)
    assert result[0]["holdout_mape"] == pytest.approx(0.0, abs=1e-9)
    assert result[0]["skill_over_naive"] == pytest.approx(1.0)
    predicted = {row["month_start"]: row["predicted_revenue"] for row in ahead(result)}
    assert predicted[dt.date(2025, 1, 1)] == pytest.approx(1000 + 10 * 36 - 20)
    assert predicted[dt.date(2025, 7, 1)] == pytest.approx(1000 + 10 * 42 + 30)


def test_partial_and_unpriced_months_are_shown_but_neither_fitted_nor_held_out() -> None:
    """Revenue 100 + 10 * (months since January 2024) in every full month. The first
    month starts on the 20th (12 of 31 days, revenue 40), the last ends with the as-of
    date 31 August 2025 (30 of 31 days, revenue 5: a slow start of the month), and March
    2024 has a line without a price (revenue known for 75 % of its lines). Fitted on the
    17 other months, the line is exact: it is chosen, R² = 1 on the held-out months, and
    the forecast continues it after the partial month instead of bending towards its 5."""
    months = months_from(dt.date(2024, 1, 1), 20)
    coverage = full_months(months).to_pylist()
    coverage[0].update(covered_days=12, is_partial_period=True)
    coverage[-1].update(covered_days=30, is_partial_period=True)
    revenue = [100.0 + 10 * i for i in range(20)]
    revenue[0], revenue[-1], revenue[2] = 40.0, 5.0, 999.0
    table = monthly_revenue("All", months, revenue).to_pylist()
    table[2]["price_coverage_ratio"] = 0.75
    table = pa.Table.from_pylist(table)
    coverage = pa.Table.from_pylist(coverage)

    series = forecast.monthly_series(
        table, {row["month_start"]: row for row in coverage.to_pylist()}
    )
    history = forecast.training_series(series)
    assert history.months == months[1:2] + months[3:19]
    assert list(history.values) == [100.0 + 10 * i for i in [1, *range(3, 19)]]

    settings = forecast.Settings(horizon=2, validation=6, holdout=6, interval_ratio=0.8)
    rows = forecast.forecast(table, coverage, settings).to_pylist()
    actual = {row["month_start"]: row for row in rows if not row["is_forecast"]}
    assert len(actual) == 20
    assert (
        actual[dt.date(2024, 1, 1)]["covered_days"],
        actual[dt.date(2024, 1, 1)]["period_days"],
    ) == (12, 31)
    assert (
        actual[dt.date(2025, 8, 1)]["covered_days"],
        actual[dt.date(2025, 8, 1)]["period_days"],
    ) == (30, 31)
    assert [month for month, row in actual.items() if row["is_partial_period"]] == [
        dt.date(2024, 1, 1),
        dt.date(2025, 8, 1),
    ]
    assert actual[dt.date(2025, 8, 1)]["revenue"] == 5.0  # shown as it is, flagged
    assert rows[0]["training_months"] == 17
    assert rows[0]["forecast_model"] == "linear trend"
    assert rows[0]["holdout_r2"] == pytest.approx(1.0)
    assert rows[0]["holdout_mape"] == pytest.approx(0.0, abs=1e-9)
    future = [(row["month_start"], row["predicted_revenue"]) for row in ahead(rows)]
    assert [month for month, _ in future] == [dt.date(2025, 9, 1), dt.date(2025, 10, 1)]
    assert [value for _, value in future] == pytest.approx([100.0 + 10 * 20, 100.0 + 10 * 21])
    assert all(row["is_partial_period"] is None for row in ahead(rows))


def test_a_month_of_unknown_revenue_stays_unknown_and_a_month_without_purchases_is_zero() -> None:
    months = months_from(dt.date(2024, 1, 1), 4)
    table = pa.table(
        {
            "series": ["S"] * 3,
            "month_start": [months[0], months[1], months[3]],
            "revenue": [10.0, None, 40.0],
            "price_coverage_ratio": [1.0, 0.0, 1.0],
        }
    )
    settings = forecast.Settings(horizon=1, validation=6, holdout=0, interval_ratio=0.8)
    rows = forecast.forecast(table, full_months(months), settings).to_pylist()
    actual = [
        (row["revenue"], row["price_coverage_ratio"]) for row in rows if not row["is_forecast"]
    ]
    assert actual == [(10.0, 1.0), (None, 0.0), (0.0, None), (40.0, 1.0)]
    assert rows[0]["training_months"] == 3  # January, March (no purchases: 0) and April


def test_nothing_is_forecast_from_fewer_than_two_fitted_months() -> None:
    """No model, no forecast month and no 0 standing in for one."""
    rows = run([500.0])
    assert [row["is_forecast"] for row in rows] == [False]
    assert rows[0]["forecast_model"] is None and rows[0]["prediction_interval_ratio"] is None

"""Monthly revenue forecast of all customers: candidate models chosen on a validation
window, measured once on held-out months against the naive forecast, with prediction
intervals; partial months and months with unpriced lines are shown but not fitted
(customer360.ml.forecast)."""

from customer360.ml import forecast


def model(dbt, session):
    meta = dbt.config.get("meta")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    lines = dbt.ref("fct_order_lines").filter(f"is_purchase and ordered_at < date '{as_of}'")
    coverage = (
        dbt.ref("int_period_coverage")
        .filter("period_grain = 'month'")
        .select("period_start as month_start, covered_days, period_days, is_partial_period")
        .arrow()
        .read_all()
    )
    lines.create_view("sales_forecast_lines", replace=True)
    # One series, all customers: a series per persona would put each customer in the
    # persona of the as-of date for every past month, so its held-out months would not be
    # out of sample. Revenue sums the priced lines (null when none is priced); the ratio
    # says how many are priced.
    monthly = (
        session.sql(
            """
        select 'All customers' as series,
            cast(date_trunc('month', order_date) as date) as month_start,
            sum(revenue)::double as revenue,
            count(revenue) / count(*) as price_coverage_ratio
        from sales_forecast_lines
        group by all
        order by all
        """
        )
        .arrow()
        .read_all()
    )
    return forecast.forecast(
        monthly,
        coverage,
        forecast.Settings(
            horizon=int(meta["forecast_months"]),
            validation=int(meta["validation_months"]),
            holdout=int(meta["holdout_months"]),
            interval_ratio=float(meta["interval_ratio"]),
        ),
    )

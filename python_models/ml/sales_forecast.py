"""Monthly revenue forecast, in total and per persona, with held-out R² and MAPE; partial
months and months with unpriced lines are shown but not fitted (customer360.ml.forecast)."""

from customer360.ml import forecast


def model(dbt, session):
    meta = dbt.config.get("meta")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    lines = dbt.ref("fct_order_lines").filter(f"is_purchase and ordered_at < date '{as_of}'")
    segments = dbt.ref("customer_segments").select("customer_id, persona")
    coverage = (
        dbt.ref("int_period_coverage")
        .filter("period_grain = 'month'")
        .select("period_start as month_start, covered_days, period_days, is_partial_period")
        .arrow()
        .read_all()
    )
    lines.create_view("sales_forecast_lines", replace=True)
    segments.create_view("sales_forecast_segments", replace=True)
    # revenue sums the priced lines (null when none is priced); the ratio says how many
    monthly = (
        session.sql(
            """
        with lines as (
            select lines.revenue, segments.persona,
                cast(date_trunc('month', lines.order_date) as date) as month_start
            from sales_forecast_lines as lines
            left join sales_forecast_segments as segments using (customer_id)
        )
        select 'All customers' as series, month_start, sum(revenue)::double as revenue,
            count(revenue) / count(*) as price_coverage_ratio
        from lines group by all
        union all
        select persona, month_start, sum(revenue)::double, count(revenue) / count(*)
        from lines where persona is not null group by all
        order by all
        """
        )
        .arrow()
        .read_all()
    )
    return forecast.forecast(
        monthly,
        coverage,
        horizon=int(meta["forecast_months"]),
        holdout=int(meta["holdout_months"]),
    )

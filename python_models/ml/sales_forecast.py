"""Monthly revenue forecast, in total and per persona, with held-out R² and MAPE."""

from customer360.ml import forecast


def model(dbt, session):
    meta = dbt.config.get("meta")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    orders = dbt.ref("fct_orders").filter(
        f"is_purchase and ordered_at < date_trunc('month', date '{as_of}')"
    )
    segments = dbt.ref("customer_segments").select("customer_id, persona")
    orders.create_view("sales_forecast_orders", replace=True)
    segments.create_view("sales_forecast_segments", replace=True)
    monthly = (
        session.sql(
            """
        select 'All customers' as series, cast(date_trunc('month', ordered_at) as date)
            as month_start, sum(revenue)::double as revenue
        from sales_forecast_orders group by all
        union all
        select segments.persona, cast(date_trunc('month', orders.ordered_at) as date),
            sum(orders.revenue)::double
        from sales_forecast_orders as orders
        join sales_forecast_segments as segments using (customer_id)
        group by all
        order by all
        """
        )
        .arrow()
        .read_all()
    )
    return forecast.forecast(
        monthly, horizon=int(meta["forecast_months"]), holdout=int(meta["holdout_months"])
    )

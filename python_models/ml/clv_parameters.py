"""The fitted customer lifetime value models, one row: BG/NBD (purchases) and Gamma-Gamma
(purchase value) by maximum likelihood on a bounded, deterministic sample of the buying
customers' repeat-purchase summaries, with the fit diagnostics `clv_scores` is read with."""

from customer360.ml import churn, clv


def model(dbt, session):
    meta = dbt.config.get("meta")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    inputs = dbt.ref("customer_repeat_purchases").select(", ".join(["customer_id", *clv.INPUTS]))
    sample = churn.bounded_sample(inputs, int(meta["fit_sample_size"]), int(meta["seed"]))
    return clv.parameters_table(sample, as_of, settings(meta))


def settings(meta) -> clv.Settings:
    return clv.Settings(
        horizon_days=int(meta["horizon_days"]),
        months=int(meta["horizon_months"]),
        monthly_discount_rate=float(meta["monthly_discount_rate"]),
    )

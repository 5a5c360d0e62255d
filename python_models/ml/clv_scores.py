"""The customer lifetime value figures of every buying customer — P(alive), expected
purchases in the churn horizon, expected purchase value, predicted CLV — from the
parameters of `clv_parameters`, scored in Arrow batches of the small repeat-purchase
summary, so no table is pulled whole into Python."""

import pyarrow as pa

from customer360.ml import clv

SCORE_BATCH_ROWS = 100_000


def model(dbt, session):
    [row] = dbt.ref("clv_parameters").arrow().read_all().to_pylist()
    purchase, value = clv.stored_parameters(row, "purchase"), clv.stored_parameters(row, "value")
    settings = clv.Settings(
        horizon_days=row["horizon_days"],
        months=row["clv_horizon_months"],
        monthly_discount_rate=row["monthly_discount_rate"],
    )
    inputs = (
        dbt.ref("customer_repeat_purchases")
        .order("customer_id")
        .select(", ".join(["customer_id", *clv.INPUTS]))
    )
    batches = [
        clv.score(batch, purchase, value, settings)
        for batch in inputs.to_arrow_reader(SCORE_BATCH_ROWS)
        if batch.num_rows
    ]
    return pa.Table.from_batches(batches, schema=clv.SCORES_SCHEMA)

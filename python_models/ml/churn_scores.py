"""Churn probability of every customer as of the as-of date, from the family, parameters
and calibration the latest evaluation chose, trained on (a bounded sample of) the latest
labelable snapshot and scored in Arrow batches, so no table is pulled whole into Python;
with each customer's top drivers of the score (`customer360.ml.churn_drivers`)."""

import numpy as np
import pyarrow as pa

from customer360.ml import churn, churn_drivers

SCORE_BATCH_ROWS = 100_000
SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("churn_probability", pa.float64()),
        ("model_version", pa.string()),
        ("model_family", pa.string()),
        ("trained_on_cutoff_date", pa.date32()),
    ]
    + [
        (f"top_driver_{rank}{suffix}", pa.string())
        for rank in range(1, churn_drivers.DRIVER_COUNT + 1)
        for suffix in ("", "_text")
    ]
)


def model(dbt, session):
    meta = dbt.config.get("meta")
    snapshots = dbt.ref("churn_snapshots")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    production = churn.production_model(
        snapshots,
        dbt.ref("churn_model_runs"),
        sample_size=int(meta["train_sample_size"]),
        seed=int(meta["seed"]),
        calibration_folds=int(meta["calibration_folds"]),
    )
    if production is None:  # no labelled history: nothing can be scored
        return SCHEMA.empty_table()
    current = (
        snapshots.filter(f"cutoff_date = '{as_of}'")
        .order("customer_id")
        .select(", ".join(["customer_id", *churn.FEATURES]))
    )
    batches = [
        pa.record_batch(
            [
                batch.column("customer_id").cast(pa.string()),
                pa.array(production.model(batch), pa.float64()),
                pa.array(np.full(batch.num_rows, production.version), pa.string()),
                pa.array(np.full(batch.num_rows, production.family), pa.string()),
                pa.array([production.trained_on] * batch.num_rows, pa.date32()),
                *churn_drivers.top_drivers(production.model, batch),
            ],
            schema=SCHEMA,
        )
        for batch in current.to_arrow_reader(SCORE_BATCH_ROWS)
        if batch.num_rows
    ]
    return pa.Table.from_batches(batches, schema=SCHEMA)

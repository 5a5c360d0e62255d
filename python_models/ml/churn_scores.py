"""Churn probability of every customer as of the as-of date, from the family, parameters
and calibration the latest evaluation chose, trained on (a bounded sample of) the latest
labelable snapshot and scored in Arrow batches, so no table is pulled whole into Python;
with each customer's top drivers of the score (`customer360.ml.churn_drivers`)."""

import json

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
    seed, sample_size = int(meta["seed"]), int(meta["train_sample_size"])
    snapshots = dbt.ref("churn_snapshots")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    [(version, family, parameters, calibration)] = (
        dbt.ref("churn_model_runs")
        .filter("is_current")
        .select("model_version, model_family, model_parameters, calibration_method")
        .fetchall()
    )
    labelled = snapshots.filter("is_labelable").aggregate("max(cutoff_date)").fetchall()[0][0]
    if labelled is None or family is None:  # no labelled history: nothing can be scored
        return SCHEMA.empty_table()
    training = snapshots.filter(f"cutoff_date = '{labelled}'").select(
        ", ".join(["customer_id", *churn.FEATURES, "is_churned"])
    )
    model = churn.fit(
        churn.bounded_sample(training, sample_size, seed),
        family,
        seed,
        json.loads(parameters or "{}"),
        calibration or "none",
        int(meta["calibration_folds"]),
    )
    current = (
        snapshots.filter(f"cutoff_date = '{as_of}'")
        .order("customer_id")
        .select(", ".join(["customer_id", *churn.FEATURES]))
    )
    batches = [
        pa.record_batch(
            [
                batch.column("customer_id").cast(pa.string()),
                pa.array(model(batch), pa.float64()),
                pa.array(np.full(batch.num_rows, version), pa.string()),
                pa.array(np.full(batch.num_rows, family), pa.string()),
                pa.array([labelled] * batch.num_rows, pa.date32()),
                *churn_drivers.top_drivers(model, batch),
            ],
            schema=SCHEMA,
        )
        for batch in current.to_arrow_reader(SCORE_BATCH_ROWS)
        if batch.num_rows
    ]
    return pa.Table.from_batches(batches, schema=SCHEMA)

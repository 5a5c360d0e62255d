"""Churn probability of every customer in the segment history at each stored month end,
from that month end's point-in-time features and the production churn model of the build
that stored it (`customer360.ml.churn.production_model`). Incremental like the history: a
build scores only the month ends not scored yet, in Arrow batches."""

import numpy as np
import pyarrow as pa

from customer360.ml import churn

SCORE_BATCH_ROWS = 100_000
SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("period_end", pa.date32()),
        ("churn_probability", pa.float64()),
        ("model_version", pa.string()),
    ]
)


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key=["customer_id", "period_end"])
    meta = dbt.config.get("meta")
    history = dbt.ref("customer_segment_history")
    if dbt.is_incremental:
        [(scored_until,)] = session.sql(f"select max(period_end) from {dbt.this}").fetchall()
        if scored_until is not None:
            history = history.filter(f"period_end > '{scored_until}'")
    # rows stored before the history kept the churn features cannot be scored
    history = history.filter("active_days is not null")
    if not history.limit(1).fetchall():  # no month end to score: no model is trained
        return SCHEMA.empty_table()
    production = churn.production_model(
        dbt.ref("churn_snapshots"),
        dbt.ref("churn_model_runs"),
        sample_size=int(meta["train_sample_size"]),
        seed=int(meta["seed"]),
        calibration_folds=int(meta["calibration_folds"]),
    )
    if production is None:
        return SCHEMA.empty_table()
    rows = history.order("period_end, customer_id").select(
        ", ".join(["customer_id", "period_end", *churn.FEATURES])
    )
    batches = [
        pa.record_batch(
            [
                batch.column("customer_id").cast(pa.string()),
                batch.column("period_end").cast(pa.date32()),
                pa.array(production.model(batch), pa.float64()),
                pa.array(np.full(batch.num_rows, production.version), pa.string()),
            ],
            schema=SCHEMA,
        )
        for batch in rows.to_arrow_reader(SCORE_BATCH_ROWS)
        if batch.num_rows
    ]
    return pa.Table.from_batches(batches, schema=SCHEMA)

"""One row per churn model version: the held-out evaluation of the candidate families
against two baselines, so model performance can be followed over time."""

import json

import pyarrow as pa

from customer360.ml import churn

RUN_SCHEMA = pa.schema(
    [("model_version", pa.string()), ("model_family", pa.string()), ("status", pa.string()),
     ("as_of_date", pa.date32()),
     ("train_cutoff_date", pa.date32()), ("test_cutoff_date", pa.date32()),
     ("horizon_days", pa.int32()), ("train_rows", pa.int64()), ("test_rows", pa.int64())]
    + [(name, pa.float64()) for name in [
        "base_rate", "auc", "pr_auc", "brier", "top_decile_precision", "top_decile_lift",
        "recency_baseline_auc", "recency_baseline_pr_auc", "recency_baseline_top_decile_lift",
        "rule_baseline_auc", "rule_baseline_pr_auc", "rule_baseline_top_decile_lift"]]
    + [("candidate_metrics", pa.string()), ("feature_list", pa.string()),
       ("is_label_window_overlapping", pa.bool_()), ("is_current", pa.bool_())]
)  # fmt: skip


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="model_version",
        on_schema_change="append_new_columns",
    )
    meta = dbt.config.get("meta")
    seed, horizon = int(meta["seed"]), int(meta["horizon_days"])
    sample_size = int(meta["train_sample_size"])
    held_out = churn.held_out_condition(seed, float(meta["test_customer_share"]))
    snapshots = dbt.ref("churn_snapshots")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    cutoffs = [
        row[0]
        for row in snapshots.filter("is_labelable").aggregate("cutoff_date", "cutoff_date")
        .order("cutoff_date").fetchall()
    ]  # fmt: skip
    test_cutoff = cutoffs[-1] if cutoffs else None
    earlier = [c for c in cutoffs[:-1] if (test_cutoff - c).days >= horizon]
    train_cutoff = earlier[-1] if earlier else (cutoffs[-2] if len(cutoffs) > 1 else None)

    def rows(cutoff, condition):  # at most train_sample_size rows, a deterministic sample
        if cutoff is None:
            return None
        return churn.bounded_sample(
            snapshots.filter(f"cutoff_date = '{cutoff}' and {condition}").select(
                ", ".join(["customer_id", *churn.FEATURES, "is_churned", "is_churned_by_rule"])
            ),
            sample_size,
            seed,
        )

    train = rows(train_cutoff, f"not ({held_out})")
    test = rows(test_cutoff, held_out)
    evaluation = churn.evaluate(train, test, seed) if train is not None else None
    if evaluation:
        family, status = evaluation.family, "evaluated"
    elif cutoffs:  # one labelable snapshot: a model can be trained but not measured
        family = churn.FAMILIES[0]
        status = "not evaluated: only one labelable snapshot; the default family is used"
    else:
        family = None
        status = (
            "no model: no snapshot is old enough to be labelled "
            f"(the data needs more than {horizon} days of history before the as-of date)"
        )
    fingerprint = {
        "as_of_date": str(as_of),
        "horizon_days": horizon,
        "train_cutoff": str(train_cutoff),
        "test_cutoff": str(test_cutoff),
        "train_rows": evaluation.train_rows if evaluation else 0,
        "train_churned": int(train.column("is_churned").to_numpy().sum()) if train else 0,
        "test_rows": evaluation.test_rows if evaluation else 0,
    }
    metrics = evaluation.metrics if evaluation else {}
    recency = evaluation.recency_baseline if evaluation else {}
    rule = evaluation.rule_baseline if evaluation else {}
    row = {
        "model_version": churn.model_version(family, seed, fingerprint),
        "model_family": family,
        "status": status,
        "as_of_date": as_of,
        "train_cutoff_date": train_cutoff,
        "test_cutoff_date": test_cutoff,
        "horizon_days": horizon,
        "train_rows": fingerprint["train_rows"],
        "test_rows": fingerprint["test_rows"],
        "base_rate": evaluation.base_rate if evaluation else None,
        "auc": metrics.get("auc"),
        "pr_auc": metrics.get("pr_auc"),
        "brier": metrics.get("brier"),
        "top_decile_precision": metrics.get("top_decile_precision"),
        "top_decile_lift": metrics.get("top_decile_lift"),
        "recency_baseline_auc": recency.get("auc"),
        "recency_baseline_pr_auc": recency.get("pr_auc"),
        "recency_baseline_top_decile_lift": recency.get("top_decile_lift"),
        "rule_baseline_auc": rule.get("auc"),
        "rule_baseline_pr_auc": rule.get("pr_auc"),
        "rule_baseline_top_decile_lift": rule.get("top_decile_lift"),
        "candidate_metrics": json.dumps(
            evaluation.candidates if evaluation else {}, sort_keys=True
        ),
        "feature_list": ", ".join(churn.FEATURES),
        "is_label_window_overlapping": bool(
            train_cutoff and (test_cutoff - train_cutoff).days < horizon
        ),
        "is_current": True,
    }
    current = pa.Table.from_pylist([row], schema=RUN_SCHEMA)
    if not dbt.is_incremental:
        return current
    # earlier versions stay, no longer current (the merge on model_version updates them)
    earlier = (
        session.sql(f"select * from {dbt.this} where model_version != '{row['model_version']}'")
        .arrow()
        .read_all()
    )
    # rows written by an older version of this model may lack newer columns
    columns = {
        field.name: earlier.column(field.name).cast(field.type)
        if field.name in earlier.column_names
        else pa.nulls(earlier.num_rows, field.type)
        for field in RUN_SCHEMA
    }
    columns["is_current"] = pa.array([False] * earlier.num_rows, pa.bool_())
    return pa.concat_tables([current, pa.table(columns, schema=RUN_SCHEMA)])

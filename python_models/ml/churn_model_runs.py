"""One row per churn model version: the candidate and calibration chosen on a validation
share of the training customers, then measured once on held-out test customers beside two
baselines, so model performance can be followed over time. The evaluation is reused, not
run again, while its training and test snapshots, the features, the candidates and the
selection settings are unchanged (`training_fingerprint`): the snapshot cutoffs sit on a
fixed grid, so a later as-of date changes them only when a grid date passes."""

import json

import pyarrow as pa
import pyarrow.compute as pc

from customer360.ml import churn, churn_selection

RUN_SCHEMA = pa.schema(
    [
        ("model_version", pa.string()),
        ("model_family", pa.string()),
        ("model_parameters", pa.string()),
        ("calibration_method", pa.string()),
        ("status", pa.string()),
        ("as_of_date", pa.date32()),
        ("train_cutoff_date", pa.date32()),
        ("test_cutoff_date", pa.date32()),
        ("horizon_days", pa.int32()),
        ("train_rows", pa.int64()),
        ("test_rows", pa.int64()),
        ("validation_rows", pa.int64()),
    ]
    + [
        (name, pa.float64())
        for name in [
            "base_rate",
            "validation_auc",
            "validation_brier",
            "auc",
            "pr_auc",
            "brier",
            "log_loss",
            "top_decile_precision",
            "top_decile_lift",
            "recency_baseline_auc",
            "auc_gain_over_recency",
            "min_auc_gain_over_recency",
            "recency_baseline_pr_auc",
            "recency_baseline_top_decile_lift",
            "rule_baseline_auc",
            "rule_baseline_pr_auc",
            "rule_baseline_top_decile_lift",
        ]
    ]
    + [
        ("candidate_metrics", pa.string()),
        ("calibration_metrics", pa.string()),
        ("calibration_bins", pa.string()),
        ("feature_list", pa.string()),
        ("is_calibrated", pa.bool_()),
        ("beats_recency_baseline", pa.bool_()),
        ("is_label_window_overlapping", pa.bool_()),
        ("training_fingerprint", pa.string()),
        ("is_current", pa.bool_()),
    ]
)


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="model_version",
        on_schema_change="append_new_columns",
    )
    meta = dbt.config.get("meta")
    seed, horizon = int(meta["seed"]), int(meta["horizon_days"])
    sample_size = int(meta["train_sample_size"])
    settings = churn_selection.Settings(
        candidates=list(meta.get("candidates") or churn.DEFAULT_CANDIDATES),
        validation_share=float(meta["validation_customer_share"]),
        calibration_folds=int(meta["calibration_folds"]),
        min_auc_gain_over_recency=float(meta["min_auc_gain_over_recency"]),
    )
    held_out = churn.held_out_condition(seed, float(meta["test_customer_share"]))
    snapshots = dbt.ref("churn_snapshots")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    cutoffs = [
        row[0]
        for row in snapshots.filter("is_labelable")
        .aggregate("cutoff_date", "cutoff_date")
        .order("cutoff_date")
        .fetchall()
    ]
    test_cutoff = cutoffs[-1] if cutoffs else None
    spaced = [c for c in cutoffs[:-1] if (test_cutoff - c).days >= horizon]
    train_cutoff = spaced[-1] if spaced else (cutoffs[-2] if len(cutoffs) > 1 else None)

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

    def data(cutoff, condition):  # what the rows of a side are, without reading them
        if cutoff is None:
            return None
        return churn.snapshot_fingerprint(snapshots, f"cutoff_date = '{cutoff}' and {condition}")

    fingerprint = {
        "horizon_days": horizon,
        "train_sample_size": sample_size,
        "held_out": held_out,
        "selection": settings.fingerprint(),
        "train_cutoff": str(train_cutoff),
        "test_cutoff": str(test_cutoff),
        "train_data": data(train_cutoff, f"not ({held_out})"),
        "test_data": data(test_cutoff, held_out),
    }
    training = churn.training_fingerprint(seed, fingerprint, settings.candidates)
    earlier = stored_runs(dbt, session)
    if earlier is not None and training in earlier.column("training_fingerprint").to_pylist():
        return current_among(earlier, training, as_of)

    train = rows(train_cutoff, f"not ({held_out})")
    test = rows(test_cutoff, held_out)
    evaluation = (
        churn_selection.evaluate(train, test, seed, settings) if train is not None else None
    )
    row = run_row(evaluation, cutoffs, settings.candidates[0], horizon)
    row |= {
        "min_auc_gain_over_recency": settings.min_auc_gain_over_recency,
        "model_version": churn.model_version(
            row["model_family"],
            seed,
            fingerprint,
            json.loads(row["model_parameters"]) if row["model_family"] else None,
            row["calibration_method"] or "none",
        ),
        "as_of_date": as_of,
        "train_cutoff_date": train_cutoff,
        "test_cutoff_date": test_cutoff,
        "is_label_window_overlapping": bool(
            train_cutoff and (test_cutoff - train_cutoff).days < horizon
        ),
        "training_fingerprint": training,
        "is_current": True,
    }
    current = pa.Table.from_pylist([row], schema=RUN_SCHEMA)
    if earlier is None:
        return current
    # earlier versions stay, no longer current (the merge on model_version updates them)
    earlier = earlier.filter(pc.not_equal(earlier.column("model_version"), row["model_version"]))
    return pa.concat_tables([current, current_among(earlier, None, None)])


def run_row(evaluation, cutoffs: list, default: dict, horizon: int) -> dict:
    """The measured columns of a run: the choice, its validation and test figures, the
    baselines and the calibration bins; or the status saying why there are none."""
    if evaluation:
        selection = evaluation.selection
        family, parameters = selection.family, selection.parameters
        calibration, status = selection.calibration, "evaluated"
    elif cutoffs:  # one labelable snapshot: a model can be trained but not measured
        family, parameters, calibration = default["family"], default.get("parameters") or {}, "none"
        status = "not evaluated: only one labelable snapshot; the first candidate is used"
    else:
        family, parameters, calibration = None, None, None
        status = (
            "no model: no snapshot is old enough to be labelled "
            f"(the data needs more than {horizon} days of history before the as-of date)"
        )
    metrics = evaluation.metrics if evaluation else {}
    validation = evaluation.selection.validation if evaluation else {}
    recency = evaluation.recency_baseline if evaluation else {}
    rule = evaluation.rule_baseline if evaluation else {}
    gain = (
        metrics["auc"] - recency["auc"]
        if metrics.get("auc") is not None and recency.get("auc") is not None
        else None
    )
    return {
        "model_family": family,
        "model_parameters": json.dumps(parameters, sort_keys=True) if family else None,
        "calibration_method": calibration,
        "status": status,
        "horizon_days": horizon,
        "train_rows": evaluation.train_rows if evaluation else 0,
        "test_rows": evaluation.test_rows if evaluation else 0,
        "validation_rows": evaluation.selection.validation_rows if evaluation else 0,
        "base_rate": evaluation.base_rate if evaluation else None,
        "validation_auc": validation.get("auc"),
        "validation_brier": validation.get("brier"),
        "auc": metrics.get("auc"),
        "pr_auc": metrics.get("pr_auc"),
        "brier": metrics.get("brier"),
        "log_loss": metrics.get("log_loss"),
        "top_decile_precision": metrics.get("top_decile_precision"),
        "top_decile_lift": metrics.get("top_decile_lift"),
        "recency_baseline_auc": recency.get("auc"),
        "auc_gain_over_recency": gain,
        "recency_baseline_pr_auc": recency.get("pr_auc"),
        "recency_baseline_top_decile_lift": recency.get("top_decile_lift"),
        "rule_baseline_auc": rule.get("auc"),
        "rule_baseline_pr_auc": rule.get("pr_auc"),
        "rule_baseline_top_decile_lift": rule.get("top_decile_lift"),
        "candidate_metrics": json.dumps(
            evaluation.selection.candidates if evaluation else {}, sort_keys=True
        ),
        "calibration_metrics": json.dumps(
            evaluation.selection.calibrations if evaluation else {}, sort_keys=True
        ),
        "calibration_bins": json.dumps(evaluation.bins if evaluation else []),
        "feature_list": ", ".join(churn.FEATURES),
        "is_calibrated": calibration not in (None, "none") if family else None,
        "beats_recency_baseline": evaluation.beats_recency_baseline if evaluation else None,
    }


def stored_runs(dbt, session) -> pa.Table | None:
    """The versions already in the table (None in a full build), in RUN_SCHEMA: rows
    written by an older version of this model may lack newer columns (null there)."""
    if not dbt.is_incremental:
        return None
    earlier = session.sql(f"select * from {dbt.this} order by model_version").arrow().read_all()
    return pa.table(
        {
            field.name: earlier.column(field.name).cast(field.type)
            if field.name in earlier.column_names
            else pa.nulls(earlier.num_rows, field.type)
            for field in RUN_SCHEMA
        },
        schema=RUN_SCHEMA,
    )


def current_among(runs: pa.Table, training: str | None, as_of) -> pa.Table:
    """`runs` with only the version of `training` current, its as-of date the build's
    (the latest build it was current in); None: no version current."""
    is_current = [value == training for value in runs.column("training_fingerprint").to_pylist()]
    as_of_dates = [
        as_of if current else value
        for current, value in zip(is_current, runs.column("as_of_date").to_pylist(), strict=True)
    ]
    runs = runs.set_column(
        runs.schema.get_field_index("is_current"), "is_current", pa.array(is_current, pa.bool_())
    )
    return runs.set_column(
        runs.schema.get_field_index("as_of_date"), "as_of_date", pa.array(as_of_dates, pa.date32())
    )

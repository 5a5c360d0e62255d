-- The churn model's validation and test metrics per run, with the two baselines and
-- whether it beats recency alone.
select
    model_version,
    model_family,
    model_parameters,
    calibration_method,
    status,
    as_of_date,
    train_cutoff_date,
    test_cutoff_date,
    horizon_days,
    train_rows,
    test_rows,
    validation_rows,
    base_rate,
    validation_auc,
    auc,
    pr_auc,
    brier,
    top_decile_precision,
    top_decile_lift,
    recency_baseline_auc,
    auc_gain_over_recency,
    min_auc_gain_over_recency,
    recency_baseline_top_decile_lift,
    rule_baseline_auc,
    rule_baseline_top_decile_lift,
    is_calibrated,
    beats_recency_baseline,
    is_label_window_overlapping,
    is_current
from ml.churn_model_runs
order by as_of_date, model_version

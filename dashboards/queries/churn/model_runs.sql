-- The churn model's test metrics per run, with the two baselines.
select
    model_version,
    model_family,
    status,
    as_of_date,
    train_cutoff_date,
    test_cutoff_date,
    horizon_days,
    train_rows,
    test_rows,
    base_rate,
    auc,
    pr_auc,
    brier,
    top_decile_precision,
    top_decile_lift,
    recency_baseline_auc,
    recency_baseline_top_decile_lift,
    rule_baseline_auc,
    rule_baseline_top_decile_lift,
    is_label_window_overlapping,
    is_current
from ml.churn_model_runs
order by as_of_date, model_version

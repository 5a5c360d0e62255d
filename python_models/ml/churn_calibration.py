"""The reliability curve of every churn model version's test probabilities, one row per
version and probability bin: the bins `churn_model_runs` stores as JSON (a few rows per
version, so reading them whole is cheap), as a table BI can chart."""

import json

import pyarrow as pa

SCHEMA = pa.schema(
    [
        ("model_version", pa.string()),
        ("bin_number", pa.int32()),
        ("lower_probability", pa.float64()),
        ("upper_probability", pa.float64()),
        ("customers", pa.int64()),
        ("mean_probability", pa.float64()),
        ("observed_churn_rate", pa.float64()),
        ("is_calibrated", pa.bool_()),
        ("is_current", pa.bool_()),
    ]
)


def model(dbt, session):
    runs = (
        dbt.ref("churn_model_runs")
        .filter("calibration_bins is not null")
        .order("model_version")
        .select("model_version, calibration_bins, is_calibrated, is_current")
        .fetchall()
    )
    rows = [
        {
            "model_version": version,
            "bin_number": curve_bin["bin"],
            "lower_probability": curve_bin["lower_probability"],
            "upper_probability": curve_bin["upper_probability"],
            "customers": curve_bin["customers"],
            "mean_probability": curve_bin["mean_probability"],
            "observed_churn_rate": curve_bin["observed_churn_rate"],
            "is_calibrated": is_calibrated,
            "is_current": is_current,
        }
        for version, bins, is_calibrated, is_current in runs
        for curve_bin in json.loads(bins)
    ]
    return pa.Table.from_pylist(rows, schema=SCHEMA)

"""Churn probability of every customer as of the as-of date, from the family the latest
evaluation chose, trained on the latest labelable snapshot."""

import pyarrow as pa

from customer360.ml import churn


def model(dbt, session):
    meta = dbt.config.get("meta")
    seed = int(meta["seed"])
    snapshots = dbt.ref("churn_snapshots")
    as_of = dbt.ref("int_as_of_date").fetchall()[0][0]
    [(version, family)] = (
        dbt.ref("churn_model_runs")
        .filter("is_current")
        .select("model_version, model_family")
        .fetchall()
    )
    labelled = snapshots.filter("is_labelable").aggregate("max(cutoff_date)").fetchall()[0][0]
    columns = ", ".join(["customer_id", *churn.FEATURES, "is_churned"])

    def rows(cutoff):
        return (
            snapshots.filter(f"cutoff_date = '{cutoff}'").order("customer_id").select(columns)
            .arrow().read_all()
        )  # fmt: skip

    current = rows(as_of)
    if labelled is None or family is None:  # no labelled history: nothing can be scored
        current = current.slice(0, 0)
        probabilities = []
    else:
        probabilities = churn.train_and_score(rows(labelled), current, family, seed)
    return pa.table(
        {
            "customer_id": current.column("customer_id"),
            "churn_probability": pa.array(probabilities, pa.float64()),
            "model_version": pa.array([version] * current.num_rows, pa.string()),
            "model_family": pa.array([family] * current.num_rows, pa.string()),
            "trained_on_cutoff_date": pa.array([labelled] * current.num_rows, pa.date32()),
        }
    )

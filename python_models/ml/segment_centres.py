"""The KMeans centres of the chosen k, named by the persona rules of the seed."""

from customer360.ml import segmentation


def model(dbt, session):
    meta = dbt.config.get("meta")
    chosen = dbt.ref("segment_k_selection").filter("is_chosen").select("k").fetchall()
    personas = dbt.ref("segment_personas").order("persona_order").select("persona, rule").fetchall()
    features = segmentation.feature_names(meta["features"])
    sample = segmentation.fit_sample(dbt.ref("customer_segment_features"), features)
    return segmentation.fit_centres(
        sample, k=chosen[0][0], seed=int(meta["seed"]), rules=personas, features=features
    )

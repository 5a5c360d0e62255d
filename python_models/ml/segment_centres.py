"""The KMeans centres of the chosen k, named by the persona rules of the seed."""

from customer360.ml import segmentation


def model(dbt, session):
    meta = dbt.config.get("meta")
    chosen = dbt.ref("segment_k_selection").filter("is_chosen").select("k").fetchall()
    personas = dbt.ref("segment_personas").order("persona_order").select("persona, rule").fetchall()
    sample = (
        dbt.ref("int_customer_features_scaled")
        .filter("is_in_fit_sample")
        .order("customer_id")
        .select(", ".join(segmentation.FEATURES))
    )
    features = segmentation.to_matrix(sample.arrow(), segmentation.FEATURES)
    return segmentation.fit_centres(
        features, k=chosen[0][0], seed=int(meta["seed"]), rules=personas
    )

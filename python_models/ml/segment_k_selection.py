"""KMeans inertia and silhouette for every k in the var range; the knee is chosen."""

from customer360.ml import segmentation


def model(dbt, session):
    meta = dbt.config.get("meta")
    features = segmentation.feature_names(meta["features"])
    sample = segmentation.fit_sample(dbt.ref("customer_segment_features"), features)
    return segmentation.select_k(
        sample,
        k_min=int(meta["k_min"]),
        k_max=int(meta["k_max"]),
        seed=int(meta["seed"]),
        silhouette_sample=int(meta["silhouette_sample_size"]),
    )

"""Two principal components of the segmentation features, for the 2-D segment plot."""

from customer360.ml import segmentation


def model(dbt, session):
    meta = dbt.config.get("meta")
    features = segmentation.feature_names(meta["features"])
    sample = segmentation.fit_sample(dbt.ref("customer_segment_features"), features)
    return segmentation.fit_pca(sample, seed=int(meta["seed"]), features=features)

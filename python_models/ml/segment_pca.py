"""Two principal components of the segmentation features, for the 2-D segment plot."""

from customer360.ml import segmentation


def model(dbt, session):
    meta = dbt.config.get("meta")
    sample = (
        dbt.ref("int_customer_features_scaled")
        .filter("is_in_fit_sample")
        .order("customer_id")
        .select(", ".join(segmentation.FEATURES))
    )
    features = segmentation.to_matrix(sample.arrow(), segmentation.FEATURES)
    return segmentation.fit_pca(features, seed=int(meta["seed"]))

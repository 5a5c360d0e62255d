-- Weights of the segmentation features in the two principal components.
select
    feature,
    pc1_weight,
    pc2_weight,
    pc1_explained_variance_ratio,
    pc2_explained_variance_ratio
from ml.segment_pca
order by feature

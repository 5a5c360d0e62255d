-- The elbow chart: inertia and silhouette per number of clusters k.
select
    k,
    inertia,
    silhouette,
    is_chosen,
    fit_sample_size
from ml.segment_k_selection
order by k

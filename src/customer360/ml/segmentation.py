"""KMeans segmentation into personas: choose k at the knee of the inertia curve,
fit the centres, name them by rules on their ranks, and project to 2-D with PCA.

Customers are assigned to the nearest centre in SQL (`customer_segments`), so only the
fit sample ever reaches Python. The features are var `segment_features` (dbt_project.yml),
the one list the SQL models and, through their `meta`, the Python models read; here they
are passed in as names (`recency`), their columns are `<name>_scaled`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score

N_INIT = 4
REST = "rest"  # the rule of the catch-all persona


def to_matrix(table: pa.Table | pa.RecordBatchReader, columns: Sequence[str]) -> np.ndarray:
    """The named columns of an Arrow table as a float matrix, one row per record."""
    if isinstance(table, pa.RecordBatchReader):
        table = table.read_all()
    if table.num_rows == 0:
        return np.empty((0, len(columns)))
    return np.column_stack([table.column(name).to_numpy(zero_copy_only=False) for name in columns])


def feature_names(meta_value: str) -> list[str]:
    """The segmentation features from a model's `meta` (var `segment_features`, joined
    with commas by the model's yml)."""
    names = [name.strip() for name in str(meta_value).split(",") if name.strip()]
    if not names:
        raise ValueError("var segment_features names no feature")
    return names


def scaled_columns(features: Sequence[str]) -> list[str]:
    """The columns of `customer_segment_features` (and the centres) holding the features."""
    return [f"{name}_scaled" for name in features]


def fit_sample(features_relation, features: Sequence[str]) -> np.ndarray:
    """The fit sample of `customer_segment_features` (a DuckDB relation) as a matrix,
    in customer order, read with Arrow."""
    columns = scaled_columns(features)
    sample = (
        features_relation.filter("is_in_fit_sample").order("customer_id").select(", ".join(columns))
    )
    return to_matrix(sample.arrow(), columns)


def fit_kmeans(features: np.ndarray, k: int, seed: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(features)


def knee(ks: Sequence[int], inertias: Sequence[float]) -> int:
    """The k at the knee of a decreasing inertia curve: after scaling both axes to [0, 1],
    the point farthest below the straight line from the first point to the last
    (the Kneedle method). The smallest such k wins a tie."""
    if len(ks) < 3:
        return ks[0]
    x = (np.asarray(ks, float) - ks[0]) / (ks[-1] - ks[0])
    y = np.asarray(inertias, float)
    span = y[0] - y[-1]
    y = (y - y[-1]) / span if span > 0 else np.zeros_like(y)
    below_line = (1 - x) - y
    return int(ks[int(np.argmax(below_line))])


def select_k(
    features: np.ndarray, k_min: int, k_max: int, seed: int, silhouette_sample: int
) -> pa.Table:
    """Fit KMeans for every k in [k_min, k_max]; return k, inertia, silhouette and the
    chosen k (the knee). k never exceeds the number of distinct points."""
    distinct = len(np.unique(features, axis=0)) if len(features) else 0
    ks = [k for k in range(max(1, k_min), k_max + 1) if k <= distinct] or [1]
    inertias, silhouettes = [], []
    for k in ks:
        fitted = fit_kmeans(features, k, seed) if len(features) else None
        inertias.append(float(fitted.inertia_) if fitted is not None else 0.0)
        silhouettes.append(
            float(
                silhouette_score(
                    features,
                    fitted.labels_,
                    sample_size=min(len(features), silhouette_sample),
                    random_state=seed,
                )
            )
            if fitted is not None and 1 < k < len(features)
            else None
        )
    chosen = knee(ks, inertias)
    return pa.table(
        {
            "k": pa.array(ks, pa.int32()),
            "inertia": pa.array(inertias, pa.float64()),
            "silhouette": pa.array(silhouettes, pa.float64()),
            "is_chosen": pa.array([k == chosen for k in ks]),
            "fit_sample_size": pa.array([len(features)] * len(ks), pa.int64()),
        }
    )


def name_segments(
    centres: np.ndarray, rules: Sequence[tuple[str, str]], features: Sequence[str]
) -> list[str]:
    """A persona name for every centre, from rules on the centres' ranks.

    `rules` are (persona, rule) in priority order; a rule is `max_<feature>` or
    `min_<feature>` over the feature names (`features`, the columns of `centres`), or
    `rest`. With k centres the first k - 1 rules each take the not-yet-named centre that
    fits them best; the rest share the `rest` persona (numbered by monetary value when
    there are several).
    Names depend only on the centres, never on the cluster numbering."""
    k = len(centres)
    feature_index = {name: i for i, name in enumerate(features)}
    needed = {rule.split("_", 1)[-1] for _, rule in rules if rule != REST} | {"monetary"}
    if missing := sorted(needed - set(feature_index)):
        raise ValueError(
            f"the persona rules need features {missing}, not in var segment_features "
            f"{list(features)}"
        )
    ranked_rules = [(persona, rule) for persona, rule in rules if rule != REST]
    rest_persona = next((persona for persona, rule in rules if rule == REST), "Other")
    names: list[str | None] = [None] * k
    for persona, rule in ranked_rules[: max(k - 1, 0)]:
        direction, feature = rule.split("_", 1)
        values = centres[:, feature_index[feature]] * (1 if direction == "max" else -1)
        free = [i for i in range(k) if names[i] is None]
        names[max(free, key=lambda i: (values[i], -centres[i].sum()))] = persona
    rest = [i for i in range(k) if names[i] is None]
    rest.sort(key=lambda i: -centres[i, feature_index["monetary"]])
    for number, i in enumerate(rest, start=1):
        names[i] = rest_persona if len(rest) == 1 else f"{rest_persona} {number}"
    return [str(name) for name in names]


def fit_centres(
    sample: np.ndarray, k: int, seed: int, rules: Sequence[tuple[str, str]], features: Sequence[str]
) -> pa.Table:
    """The centres of the chosen k, named, and numbered in the order of the persona rules
    (so the numbering is as stable as the names)."""
    columns = scaled_columns(features)
    if len(sample) == 0:
        empty = {name: pa.array([], pa.float64()) for name in columns}
        return pa.table(
            {"segment_id": pa.array([], pa.int32()), "persona": pa.array([], pa.string()), **empty}
        )
    centres = fit_kmeans(sample, k, seed).cluster_centers_
    names = name_segments(centres, rules, features)
    priority = {persona: order for order, (persona, _) in enumerate(rules)}
    monetary = list(features).index("monetary")

    def rank(i: int) -> tuple[int, float]:
        persona = names[i] if names[i] in priority else names[i].rsplit(" ", 1)[0]
        return priority.get(persona, len(priority)), -centres[i, monetary]

    order = sorted(range(k), key=rank)
    return pa.table(
        {
            "segment_id": pa.array(range(1, k + 1), pa.int32()),
            "persona": [names[i] for i in order],
            **{name: centres[order, column] for column, name in enumerate(columns)},
        }
    )


def fit_pca(sample: np.ndarray, seed: int, features: Sequence[str]) -> pa.Table:
    """Two principal components: per feature (its `_scaled` column), the sample mean and
    both weights."""
    columns = scaled_columns(features)
    components = np.zeros((2, len(columns)))
    mean = sample.mean(axis=0) if len(sample) else np.zeros(len(columns))
    explained = [0.0, 0.0]
    if len(sample) >= 2:
        pca = PCA(n_components=min(2, len(columns)), random_state=seed).fit(sample)
        components[: len(pca.components_)] = pca.components_
        # fix each component's sign so the largest weight is positive: same data, same plot
        signs = np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])
        components *= np.where(signs == 0, 1, signs)[:, None]
        explained = [float(value) for value in pca.explained_variance_ratio_] + [0.0] * (
            2 - len(pca.explained_variance_ratio_)
        )
    return pa.table(
        {
            "feature": columns,
            "feature_mean": mean,
            "pc1_weight": components[0],
            "pc2_weight": components[1],
            "pc1_explained_variance_ratio": [explained[0]] * len(columns),
            "pc2_explained_variance_ratio": [explained[1]] * len(columns),
        }
    )

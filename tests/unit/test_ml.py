"""The model functions of customer360.ml, on small data with known answers."""

from __future__ import annotations

import itertools
import math

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from mlxtend.frequent_patterns import apriori, fpgrowth

from customer360.ml import bundle_support, bundles, churn, churn_selection, segmentation
from customer360.project import project_vars
from tests.apriori_reference import mlxtend_counts, onehot, rule_counts_by_hand

PERSONA_RULES = [
    ("VIP", "max_monetary"),
    ("At Risk", "max_recency"),
    ("Loyalists", "max_frequency"),
    ("Recent Buyers", "min_recency"),
    ("Casual Shoppers", "rest"),
]
# the project's one list of segmentation features (var segment_features)
FEATURES = project_vars()["segment_features"]
SCALED = segmentation.scaled_columns(FEATURES)


def planted_blobs(seed: int = 0, per_blob: int = 150) -> tuple[np.ndarray, np.ndarray]:
    """Four well-separated blobs in the five segmentation features."""
    assert FEATURES == ["recency", "frequency", "monetary", "tenure", "gap"]
    rng = np.random.default_rng(seed)
    centres = np.array(
        [
            [-2.0, 2.0, 3.0, 0.0, 0.0],  # recent, frequent, big spenders: VIP
            [3.0, -1.0, -1.0, 1.0, 1.0],  # long inactive: At Risk
            [0.0, 3.0, 0.5, 2.0, -2.0],  # most frequent: Loyalists
            [-1.0, -2.0, -2.0, -2.0, 0.0],  # the rest
        ]
    )
    labels = np.repeat(np.arange(4), per_blob)
    return centres[labels] + rng.normal(0, 0.3, (len(labels), 5)), labels


def test_the_knee_of_a_planted_four_cluster_curve_is_four() -> None:
    features, _ = planted_blobs()
    selection = segmentation.select_k(features, 2, 8, seed=1, silhouette_sample=500)
    chosen = [row["k"] for row in selection.to_pylist() if row["is_chosen"]]
    assert chosen == [4]
    silhouettes = {row["k"]: row["silhouette"] for row in selection.to_pylist()}
    assert silhouettes[4] == max(silhouettes.values())


def test_planted_clusters_are_recovered_and_named_from_their_centres() -> None:
    features, labels = planted_blobs()
    centres = segmentation.fit_centres(features, 4, seed=1, rules=PERSONA_RULES, features=FEATURES)
    names = centres.column("persona").to_pylist()
    assert names == ["VIP", "At Risk", "Loyalists", "Casual Shoppers"]
    coordinates = np.column_stack([centres.column(f).to_numpy() for f in SCALED])
    nearest = ((features[:, None, :] - coordinates[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    # every planted blob lands entirely in the segment named for it
    assert (nearest == labels).all()


def test_persona_names_do_not_depend_on_row_order() -> None:
    features, _ = planted_blobs()
    shuffled = features[np.random.default_rng(5).permutation(len(features))]
    first = segmentation.fit_centres(features, 4, 1, PERSONA_RULES, FEATURES)
    second = segmentation.fit_centres(shuffled, 4, 1, PERSONA_RULES, FEATURES)
    assert first.column("persona").to_pylist() == second.column("persona").to_pylist()
    for feature in SCALED:
        assert np.allclose(first.column(feature).to_numpy(), second.column(feature).to_numpy())


def test_extra_segments_share_the_rest_persona_numbered_by_value() -> None:
    centres = np.array([[0, 0, value, 0, 0] for value in (5.0, 1.0, 3.0)])
    names = segmentation.name_segments(
        centres, [("VIP", "max_monetary"), ("Other", "rest")], FEATURES
    )
    assert names == ["VIP", "Other 2", "Other 1"]


def test_a_persona_rule_on_a_feature_not_in_the_list_is_an_error() -> None:
    centres = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"need features \['tenure'\]"):
        segmentation.name_segments(
            centres, [("Old", "max_tenure"), ("Other", "rest")], ["recency", "monetary"]
        )
    assert segmentation.feature_names(" recency, monetary ,") == ["recency", "monetary"]


def test_pca_signs_are_fixed_and_weights_unit_length() -> None:
    features, _ = planted_blobs()
    pca = segmentation.fit_pca(features, seed=1, features=FEATURES)
    assert pca.column("feature").to_pylist() == SCALED
    for component in ("pc1_weight", "pc2_weight"):
        weights = pca.column(component).to_numpy()
        assert np.isclose(np.linalg.norm(weights), 1.0)
        assert weights[np.abs(weights).argmax()] > 0


BASKETS = [
    ["bread", "milk"],
    ["bread", "diapers", "beer", "eggs"],
    ["milk", "diapers", "beer", "cola"],
    ["bread", "milk", "diapers", "beer"],
    ["bread", "milk", "diapers", "cola"],
    ["milk", "eggs"],
    ["bread", "beer", "diapers"],
]


def sparse_baskets(seed: int = 7, baskets: int = 3000, products: int = 200) -> list[list[str]]:
    """Baskets like real ones: 1-4 of 200 products, none in more than about 2 % of the
    baskets, and 12 planted pairs (P000 + P001, P002 + P003, ...) bought together in
    5 to 40 baskets each, so pairs and rules exist only well below support 0.1."""
    rng = np.random.default_rng(seed)
    names = [f"P{index:03d}" for index in range(products)]
    result = [
        sorted(set(rng.choice(names, size=int(rng.integers(1, 5)), replace=False)))
        for _ in range(baskets)
    ]
    for pair, together in enumerate([40, 34, 30, 26, 22, 18, 15, 12, 10, 8, 6, 5]):
        for index in rng.choice(baskets, size=together, replace=False):
            result[index] = sorted({*result[index], names[2 * pair], names[2 * pair + 1]})
    return result


def basket_table(connection: duckdb.DuckDBPyConnection, basket_list: list[list[str]]) -> str:
    rows = [(str(i), item) for i, basket in enumerate(basket_list) for item in basket]
    connection.execute("create or replace table baskets (basket_id varchar, item varchar)")
    connection.executemany("insert into baskets values (?, ?)", rows)
    return "baskets"


@pytest.fixture
def basket_connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    basket_table(connection, BASKETS)
    return connection


def brute_force(min_support: float, max_length: int) -> dict[frozenset, float]:
    items = sorted({item for basket in BASKETS for item in basket})
    found = {}
    for length in range(1, max_length + 1):
        for combination in itertools.combinations(items, length):
            support = sum(set(combination) <= set(b) for b in BASKETS) / len(BASKETS)
            if support >= min_support:
                found[frozenset(combination)] = support
    return found


@pytest.mark.parametrize("min_support", [0.1, 0.2, 0.3, 0.5])
def test_sql_apriori_equals_brute_force_and_mlxtend(basket_connection, min_support) -> None:
    found = bundles.frequent_itemsets(basket_connection, "baskets", min_support, max_length=4)
    ours = {frozenset(row["itemset"]): row["support"] for row in found.to_pylist()}
    assert ours.keys() == brute_force(min_support, 4).keys()
    for itemset, support in brute_force(min_support, 4).items():
        assert ours[itemset] == pytest.approx(support)
    for reference in (apriori, fpgrowth):
        theirs = reference(onehot(BASKETS), min_support=min_support, use_colnames=True, max_len=4)
        assert set(theirs["itemsets"]) == set(ours)


@pytest.mark.parametrize("min_support", [0.004, 0.01, 0.02])
def test_sql_apriori_equals_mlxtend_on_sparse_baskets(min_support) -> None:
    basket_list = sparse_baskets()
    connection = duckdb.connect()
    found = bundles.frequent_itemsets(
        connection, basket_table(connection, basket_list), min_support, max_length=3
    )
    ours = {frozenset(row["itemset"]): row["support"] for row in found.to_pylist()}
    theirs = apriori(onehot(basket_list), min_support=min_support, use_colnames=True, max_len=3)
    assert len(ours) > 0
    assert dict(zip(theirs["itemsets"], theirs["support"], strict=True)) == pytest.approx(ours)


def test_rules_meet_the_thresholds_and_match_hand_computed_metrics(basket_connection) -> None:
    itemsets = bundles.frequent_itemsets(basket_connection, "baskets", 0.4, max_length=2)
    rules = bundles.rules(itemsets, len(BASKETS), min_confidence=0.7, min_lift=1.0)
    by_rule = {row["rule"]: row for row in rules.to_pylist()}
    # beer is in 4 baskets, diapers in 5, both in 4: beer -> diapers has confidence 1
    beer_diapers = by_rule["beer -> diapers"]
    assert beer_diapers["support"] == pytest.approx(4 / 7)
    assert beer_diapers["confidence"] == pytest.approx(1.0)
    assert beer_diapers["lift"] == pytest.approx(1.0 / (5 / 7))
    assert all(row["confidence"] >= 0.7 and row["lift"] >= 1.0 for row in by_rule.values())


def test_no_frequent_pairs_gives_an_empty_rule_table(basket_connection) -> None:
    itemsets = bundles.frequent_itemsets(basket_connection, "baskets", 0.9, max_length=3)
    assert itemsets.num_rows == 0
    assert bundles.rules(itemsets, len(BASKETS), 0.05, 1.0).num_rows == 0


def auto_settings(**overrides) -> bundle_support.BundleSettings:
    values = {
        "min_support": None,
        "start_support": 0.1,
        "min_rules": 10,
        "floor_baskets": 5,
        "min_confidence": 0.05,
        "min_lift": 1.0,
        "max_length": 3,
    }
    return bundle_support.BundleSettings(**{**values, **overrides})


def expected_auto_count(basket_list: list[list[str]], settings) -> int:
    """Brute force: the rule count at every candidate basket count between the floor and
    the start (where it can change: the itemsets' counts), from mlxtend's itemsets and
    rules counted by hand; the largest candidate with enough rules, else the floor."""
    total = len(basket_list)
    start = max(math.ceil(settings.start_support * total), settings.floor_baskets)
    at_floor = mlxtend_counts(basket_list, settings.floor_baskets)
    candidates = {start, *(count for count in at_floor.values() if count <= start)}
    for candidate in sorted(candidates, reverse=True):
        kept = {itemset: count for itemset, count in at_floor.items() if count >= candidate}
        found = rule_counts_by_hand(kept, total, settings.min_confidence, settings.min_lift)
        if len(found) >= settings.min_rules:
            return candidate
    return settings.floor_baskets


def test_auto_finds_the_largest_support_with_enough_rules_on_sparse_baskets() -> None:
    basket_list = sparse_baskets()
    total = len(basket_list)
    settings = auto_settings()
    top = onehot(basket_list).mean().max()
    assert 0.015 < top < 0.03, "the most frequent product is in about 2 % of the baskets"
    connection = duckdb.connect()
    choice = bundle_support.choose_support(
        connection, basket_table(connection, basket_list), settings
    )
    expected = expected_auto_count(basket_list, settings)
    assert choice.support_mode == "auto"
    assert choice.min_basket_count_used == expected
    assert choice.min_support_used == expected / total
    assert choice.min_basket_count_used >= settings.floor_baskets
    assert choice.max_product_support == pytest.approx(top)
    # at the support used mlxtend finds at least min_rules rules; one basket more, fewer
    at_used = rule_counts_by_hand(mlxtend_counts(basket_list, expected), total, 0.05, 1.0)
    above = rule_counts_by_hand(mlxtend_counts(basket_list, expected + 1), total, 0.05, 1.0)
    assert choice.rules_at_support_used == len(at_used) >= settings.min_rules > len(above)
    assert rule_counts_by_hand(mlxtend_counts(basket_list, 300), total, 0.05, 1.0) == []
    # no rule is in more baskets than the second most frequent product (80 here), so the
    # search starts there and halves: 80 -> 40 -> 20, three runs, not one per candidate
    assert choice.apriori_runs == 3
    assert bundle_support.what_to_try(choice, settings) is None
    # the search keeps the itemsets at the support used, and their rules are the ones counted
    assert bundles.rules(choice.itemsets, total, 0.05, 1.0).num_rows == len(at_used)


@pytest.mark.parametrize("min_rules", [3, 10, 12, 15])
def test_the_support_search_keeps_the_itemsets_at_the_support_used(min_rules: int) -> None:
    """The last Apriori run is at a basket count at or below the one chosen (80 -> 40 ->
    20 -> 10 here, chosen 34, 23, 18, 12): its itemsets below the chosen count are left
    out, so the kept ones are mlxtend's at the chosen count."""
    basket_list = sparse_baskets()
    connection = duckdb.connect()
    choice = bundle_support.choose_support(
        connection, basket_table(connection, basket_list), auto_settings(min_rules=min_rules)
    )
    kept = {frozenset(row["itemset"]): row["basket_count"] for row in choice.itemsets.to_pylist()}
    assert kept == mlxtend_counts(basket_list, choice.min_basket_count_used)


@pytest.mark.parametrize("floor_baskets", [5, 24, 30, 60])
def test_auto_never_goes_below_the_floor(floor_baskets: int) -> None:
    basket_list = sparse_baskets()
    settings = auto_settings(floor_baskets=floor_baskets)
    connection = duckdb.connect()
    choice = bundle_support.choose_support(
        connection, basket_table(connection, basket_list), settings
    )
    assert choice.min_basket_count_used >= floor_baskets
    assert choice.min_basket_count_used == expected_auto_count(basket_list, settings)
    advice = bundle_support.what_to_try(choice, settings)
    if choice.rules_at_support_used < settings.min_rules:
        assert choice.min_basket_count_used == floor_baskets
        assert "bundle_min_support_baskets" in advice
    else:
        assert advice is None


def test_auto_finds_no_rule_without_repeated_pairs_and_says_what_to_try() -> None:
    # every product is in two baskets, every pair in one
    basket_list = [[f"Q{index:02d}", f"Q{(index + 1) % 60:02d}"] for index in range(60)]
    settings = auto_settings()
    connection = duckdb.connect()
    choice = bundle_support.choose_support(
        connection, basket_table(connection, basket_list), settings
    )
    assert (choice.rules_at_support_used, choice.min_basket_count_used) == (0, 5)
    assert choice.min_support_used == 5 / 60
    row = bundle_support.selection_table(choice, settings).to_pylist()[0]
    assert row["what_to_try"].startswith("No rule with itemsets in at least 5 baskets")
    assert "bundle_min_support_baskets" in row["what_to_try"]
    assert "3.33% of baskets" in row["what_to_try"]
    assert row["floor_min_support"] == 5 / 60


def test_auto_keeps_the_start_support_when_it_already_gives_enough_rules() -> None:
    basket_list = (BASKETS * 5)[:33]  # 0.1 of 33 baskets: itemsets in at least 4
    connection = duckdb.connect()
    choice = bundle_support.choose_support(
        connection, basket_table(connection, basket_list), auto_settings(floor_baskets=3)
    )
    at_start = rule_counts_by_hand(mlxtend_counts(basket_list, 4), 33, 0.05, 1.0)
    assert len(at_start) >= 10
    assert (choice.min_support_used, choice.min_basket_count_used) == (0.1, 4)
    assert (choice.apriori_runs, choice.rules_at_support_used) == (1, len(at_start))
    # a floor above the start's count wins: 5 baskets, support 5 / 33
    floored = bundle_support.choose_support(connection, "baskets", auto_settings())
    assert (floored.min_support_used, floored.min_basket_count_used) == (5 / 33, 5)


def test_a_fixed_support_is_used_as_it_is(basket_connection) -> None:
    settings = auto_settings(min_support=0.3)
    choice = bundle_support.choose_support(basket_connection, "baskets", settings)
    itemsets = bundles.frequent_itemsets(basket_connection, "baskets", 0.3, max_length=3)
    expected_rules = bundles.rules(itemsets, len(BASKETS), 0.05, 1.0).num_rows
    assert (choice.support_mode, choice.min_support_used, choice.apriori_runs) == ("fixed", 0.3, 1)
    assert choice.min_basket_count_used == 3  # 0.3 of 7 baskets
    assert choice.rules_at_support_used == expected_rules > 0
    nothing = bundle_support.choose_support(
        basket_connection, "baskets", auto_settings(min_support=0.9)
    )
    assert nothing.rules_at_support_used == 0
    assert "Set bundle_min_support to auto" in bundle_support.what_to_try(nothing, settings)


def test_largest_count_with_rules_at_the_edges() -> None:
    largest = bundle_support.largest_count_with_rules
    assert largest([9, 7, 7, 5], 2, lowest=5, highest=20) == 7
    assert largest([9, 7, 7, 5], 3, lowest=5, highest=20) == 7  # ties share a count
    assert largest([30, 25], 1, lowest=5, highest=20) == 20  # never above the start
    assert largest([9], 2, lowest=5, highest=20) == 5  # too few rules: the floor
    assert largest([], 0, lowest=5, highest=20) == 20


@pytest.mark.parametrize(
    ("value", "expected"), [("auto", None), (" AUTO ", None), ("0.02", 0.02), (0.1, 0.1)]
)
def test_min_support_is_auto_or_a_share(value, expected) -> None:
    assert bundle_support.parse_min_support(value) == expected


@pytest.mark.parametrize("value", ["0", "1.5", "often", None])
def test_min_support_rejects_anything_else(value) -> None:
    with pytest.raises(ValueError, match="bundle_min_support"):
        bundle_support.parse_min_support(value)


def snapshot_table(rows: int, seed: int) -> pa.Table:
    """Synthetic snapshots where churn depends on recency."""
    rng = np.random.default_rng(seed)
    recency = rng.integers(1, 400, rows)
    frequency = rng.integers(1, 20, rows)
    monetary = frequency * rng.uniform(10, 80, rows)
    churned = rng.random(rows) < 1 / (1 + np.exp(-(recency - 150) / 40))
    gaps = np.where(frequency > 1, rng.uniform(5, 120, rows), np.nan)
    return pa.table(
        {
            "customer_id": [f"C{i:05d}" for i in range(rows)],
            "recency_days": recency,
            "frequency": frequency,
            "monetary": monetary,
            "avg_order_value": monetary / frequency,
            "avg_gap_days": gaps,
            "last_gap_days": gaps,
            "store_visits": rng.integers(0, 3, rows),
            "active_days": recency + rng.integers(0, 300, rows),
            "is_churned": churned,
            "is_churned_by_rule": recency > np.nan_to_num(gaps, nan=60.0),
        }
    )


def test_the_evaluation_beats_chance_and_reports_both_baselines() -> None:
    evaluation = churn_selection.evaluate(
        snapshot_table(2000, 1), snapshot_table(600, 2), 3, churn_selection.Settings()
    )
    assert evaluation.family in churn.FAMILIES
    assert evaluation.metrics["auc"] > 0.75
    assert evaluation.recency_baseline["auc"] > 0.75  # recency drives churn here
    assert evaluation.rule_baseline["auc"] is not None
    assert (evaluation.train_rows, evaluation.test_rows) == (2000, 600)
    assert 0 < evaluation.base_rate < 1


def test_top_decile_precision_and_lift_by_hand() -> None:
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    score = np.arange(20, 0, -1, dtype=float)  # the first two rows score highest
    precision, lift = churn.top_decile(y, score)
    assert precision == 1.0
    assert lift == pytest.approx(1.0 / (3 / 20))


def test_held_out_customers_are_disjoint_from_training_and_about_the_share() -> None:
    connection = duckdb.connect()
    connection.execute(
        "create table snapshots as select 'C' || i as customer_id, cutoff "
        "from range(5000) as t(i), (values (1), (2)) as c(cutoff)"
    )
    condition = churn.held_out_condition(seed=42, share=0.2)

    def customers(where: str) -> set[str]:
        query = f"select customer_id from snapshots where {where}"
        return {row[0] for row in connection.execute(query).fetchall()}

    test_ids = customers(f"cutoff = 2 and {condition}")
    train_ids = customers(f"cutoff = 1 and not ({condition})")
    assert not test_ids & train_ids
    assert 0.17 < len(test_ids) / 5000 < 0.23


def test_the_snapshot_fingerprint_changes_with_the_training_rows_only() -> None:
    """Equal for the same rows in any order; different when one feature of one training
    row changes or a row is added; unaffected by rows outside the condition (another
    cutoff), so a new as-of snapshot does not make the churn model train again."""
    table = snapshot_table(400, 3)
    cutoff = pa.array([1] * 200 + [2] * 200, pa.int32())
    table = table.append_column("cutoff", cutoff)
    connection = duckdb.connect()

    def fingerprint(rows: pa.Table) -> list:
        return churn.snapshot_fingerprint(connection.from_arrow(rows), "cutoff = 1")

    base = fingerprint(table)
    assert base[0] == 200
    assert fingerprint(table.take(np.random.default_rng(0).permutation(400))) == base
    recency = table.column("recency_days").to_numpy().copy()
    recency[250] += 1  # a row of the other cutoff
    other = table.set_column(1, "recency_days", pa.array(recency))
    assert fingerprint(other) == base
    recency[10] += 1  # a training row
    changed = table.set_column(1, "recency_days", pa.array(recency))
    assert fingerprint(changed) != base
    assert fingerprint(pa.concat_tables([table, table.slice(0, 1)])) != base
    same = {"train_cutoff": "2024-01-01", "train_data": base}
    assert churn.training_fingerprint(42, same) == churn.training_fingerprint(42, dict(same))
    assert churn.training_fingerprint(42, same) != churn.training_fingerprint(43, same)


def test_the_training_sample_is_bounded_deterministic_and_independent_of_row_order() -> None:
    table = snapshot_table(3000, 5)
    shuffled = table.take(np.random.default_rng(1).permutation(table.num_rows))
    connection = duckdb.connect()
    sample = churn.bounded_sample(connection.from_arrow(table), 500, seed=42)
    again = churn.bounded_sample(connection.from_arrow(shuffled), 500, seed=42)
    larger = churn.bounded_sample(connection.from_arrow(table), 800, seed=42)
    ids = sample.column("customer_id").to_pylist()
    assert len(ids) == 500 and ids == sorted(ids)
    assert again.column("customer_id").to_pylist() == ids  # the same rows, same order
    assert again.column("monetary").equals(sample.column("monetary"))
    assert set(ids) <= set(larger.column("customer_id").to_pylist())
    assert churn.bounded_sample(connection.from_arrow(table), 10_000, 42).num_rows == 3000
    # not the first ids nor the held-out side: about the held-out share of it is held out
    held_out = connection.from_arrow(sample).filter(churn.held_out_condition(42, 0.2))
    assert ids != sorted(table.column("customer_id").to_pylist())[:500]
    assert 0.12 < len(held_out.fetchall()) / 500 < 0.28


def test_scoring_in_batches_gives_the_probabilities_of_scoring_at_once() -> None:
    train, score = snapshot_table(1500, 1), snapshot_table(1000, 2)
    for family in churn.FAMILIES:
        predict = churn.fit(train, family, seed=3)
        batched = np.concatenate([predict(batch) for batch in score.to_batches(max_chunksize=128)])
        at_once = predict(score)
        np.testing.assert_allclose(batched, at_once, rtol=1e-12)
        assert batched.shape == (1000,) and ((batched >= 0) & (batched <= 1)).all()


def test_model_version_changes_with_data_and_not_otherwise() -> None:
    fingerprint = {"as_of_date": "2025-01-01", "train_rows": 10}
    same = churn.model_version("logistic_regression", 1, dict(fingerprint))
    assert same == churn.model_version("logistic_regression", 1, dict(fingerprint))
    assert same != churn.model_version("logistic_regression", 1, {**fingerprint, "train_rows": 11})
    assert same != churn.model_version("gradient_boosting", 1, fingerprint)

"""Churn model selection on validation, the recency flag, the reliability curve and the
per-customer drivers, on synthetic snapshots with a planted truth."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from sklearn.metrics import roc_auc_score

from customer360.ml import churn, churn_drivers, churn_selection

# both families, the trees kept small so the tests stay quick
SETTINGS = churn_selection.Settings(
    candidates=[
        {"family": "logistic_regression", "parameters": {}},
        {"family": "gradient_boosting", "parameters": {"max_iter": 50}},
    ]
)


def snapshots(rows: int, seed: int, churned=None, prefix: str = "C") -> pa.Table:
    """Synthetic snapshot rows; `churned(columns) -> bool array` plants the label (by
    default churn rises with recency)."""
    rng = np.random.default_rng(seed)
    recency = rng.integers(1, 400, rows)
    frequency = rng.integers(1, 20, rows)
    monetary = frequency * rng.uniform(10, 80, rows)
    gaps = rng.uniform(5, 120, rows)
    columns = {
        "customer_id": [f"{prefix}{i:06d}" for i in range(rows)],
        "recency_days": recency,
        "frequency": frequency,
        "monetary": monetary,
        "avg_order_value": monetary / frequency,
        "avg_gap_days": gaps,
        "last_gap_days": gaps * rng.uniform(0.5, 1.5, rows),
        "store_visits": rng.integers(0, 3, rows),
        "active_days": recency + rng.integers(0, 300, rows),
    }
    if churned is None:
        label = rng.random(rows) < 1 / (1 + np.exp(-(recency - 150) / 40))
    else:
        label = churned(columns, rng)
    columns["is_churned"] = label
    columns["is_churned_by_rule"] = recency > gaps
    return pa.table(columns)


def in_a_recency_band(columns, rng) -> np.ndarray:
    """Churned in the middle of the recency range: trees find it, a linear model cannot."""
    recency = columns["recency_days"]
    band = (recency > 120) & (recency < 260)
    return np.where(rng.random(len(recency)) < 0.9, band, ~band)


def test_the_family_is_chosen_on_validation_even_when_the_test_would_choose_another() -> None:
    """Planted: the training customers churn in a recency band (gradient boosting wins on
    validation); the test customers' labels are the logistic regression's own ranking, so
    the test AUC would pick the logistic regression. The validation choice must stand."""
    train = snapshots(4000, 1, in_a_recency_band)
    features = snapshots(1500, 2, prefix="T")
    linear = churn.fit(train, "logistic_regression", seed=3)(features)
    test = features.set_column(
        features.schema.get_field_index("is_churned"),
        "is_churned",
        pa.array(linear > np.median(linear)),
    )
    y_test = test.column("is_churned").to_numpy(zero_copy_only=False).astype(int)
    test_auc = {
        candidate["family"]: roc_auc_score(
            y_test, churn.fit(train, candidate["family"], 3, candidate["parameters"])(test)
        )
        for candidate in SETTINGS.candidates
    }
    assert test_auc["logistic_regression"] > test_auc["gradient_boosting"] + 0.2  # planted

    evaluation = churn_selection.evaluate(train, test, 3, SETTINGS)
    assert evaluation.family == "gradient_boosting"
    validation = evaluation.selection.candidates
    assert (
        validation["gradient_boosting(max_iter=50)"]["auc"]
        > validation["logistic_regression()"]["auc"] + 0.2
    )
    assert evaluation.metrics["auc"] < test_auc["logistic_regression"]  # reported as measured


def test_the_selector_is_never_given_a_test_row(monkeypatch) -> None:
    seen: list[pa.Table] = []
    select = churn_selection.select

    def spy(train, seed, settings):
        seen.append(train)
        return select(train, seed, settings)

    monkeypatch.setattr(churn_selection, "select", spy)
    train, test = snapshots(1500, 1), snapshots(500, 2, prefix="T")
    evaluation = churn_selection.evaluate(train, test, 3, SETTINGS)
    [given] = seen
    assert given.column("customer_id").to_pylist() == train.column("customer_id").to_pylist()
    assert not set(given.column("customer_id").to_pylist()) & set(
        test.column("customer_id").to_pylist()
    )
    selection = evaluation.selection
    assert selection.fit_rows + selection.validation_rows == train.num_rows
    assert evaluation.test_rows == test.num_rows


def test_the_validation_customers_are_a_stable_share_of_the_training_customers() -> None:
    ids = [f"C{i}" for i in range(5000)]
    mask = churn_selection.validation_mask(ids, 42, 0.2)
    assert 0.17 < mask.mean() < 0.23
    shuffled = list(reversed(ids))
    again = churn_selection.validation_mask(shuffled, 42, 0.2)
    assert {c for c, m in zip(shuffled, again, strict=True) if m} == {
        c for c, m in zip(ids, mask, strict=True) if m
    }
    assert not (churn_selection.validation_mask(ids, 43, 0.2) == mask).all()


def by_recency_only(columns, rng) -> np.ndarray:
    return columns["recency_days"] > 150


def by_frequency_only(columns, rng) -> np.ndarray:
    return np.where(rng.random(len(columns["frequency"])) < 0.9, columns["frequency"] < 8, True)


def test_a_model_no_better_than_recency_is_flagged() -> None:
    """Planted: the label is a function of recency alone, so recency is a perfect score and
    no model can beat it by the margin."""
    evaluation = churn_selection.evaluate(
        snapshots(3000, 1, by_recency_only), snapshots(800, 2, by_recency_only, "T"), 3, SETTINGS
    )
    assert evaluation.recency_baseline["auc"] == pytest.approx(1.0)
    assert evaluation.metrics["auc"] - evaluation.recency_baseline["auc"] <= 0.01
    assert evaluation.beats_recency_baseline is False


def test_a_model_that_uses_what_recency_misses_beats_it() -> None:
    evaluation = churn_selection.evaluate(
        snapshots(3000, 1, by_frequency_only),
        snapshots(800, 2, by_frequency_only, "T"),
        3,
        SETTINGS,
    )
    assert evaluation.metrics["auc"] > evaluation.recency_baseline["auc"] + 0.1
    assert evaluation.beats_recency_baseline is True


@pytest.mark.parametrize(
    ("auc", "baseline", "expected"),
    [(0.538, 0.529, False), (0.808, 0.793, True), (0.80, 0.791, False), (None, 0.7, None)],
)
def test_beating_the_baseline_means_more_than_the_margin(auc, baseline, expected) -> None:
    assert churn_selection.beats_baseline(auc, baseline, 0.01) is expected


def test_the_reliability_bins_count_every_test_row_and_observe_rates_by_hand() -> None:
    train, test = snapshots(2000, 1), snapshots(700, 2, prefix="T")
    evaluation = churn_selection.evaluate(train, test, 3, SETTINGS)
    bins = evaluation.bins
    assert [b["bin"] for b in bins] == list(range(1, 11))
    assert sum(b["customers"] for b in bins) == test.num_rows == evaluation.test_rows
    selection = evaluation.selection
    probability = churn.fit(
        train, selection.family, 3, selection.parameters, selection.calibration
    )(test)
    churned = test.column("is_churned").to_pylist()
    for curve_bin in bins:  # recounted row by row
        lower, upper = curve_bin["lower_probability"], curve_bin["upper_probability"]
        inside = [
            i
            for i, p in enumerate(probability)
            if lower <= p < upper or (upper == 1.0 and p == 1.0)
        ]
        assert curve_bin["customers"] == len(inside)
        if inside:
            assert curve_bin["observed_churn_rate"] == pytest.approx(
                sum(churned[i] for i in inside) / len(inside)
            )
            assert curve_bin["mean_probability"] == pytest.approx(
                sum(probability[i] for i in inside) / len(inside)
            )
        else:
            assert curve_bin["observed_churn_rate"] is None


def test_a_miscalibrated_candidate_is_calibrated_on_validation() -> None:
    """Planted: a heavily regularised logistic regression squeezes its probabilities
    towards the base rate; a calibration lowers the validation Brier score, so one is used."""
    squeezed = churn_selection.Settings(
        candidates=[{"family": "logistic_regression", "parameters": {"C": 0.0001}}]
    )
    selection = churn_selection.select(snapshots(3000, 1), 3, squeezed)
    briers = {method: metrics["brier"] for method, metrics in selection.calibrations.items()}
    assert set(briers) == {"none", "sigmoid", "isotonic"}
    assert selection.calibration != "none"
    assert briers[selection.calibration] == min(briers.values()) < briers["none"]
    assert selection.validation["brier"] == briers[selection.calibration]


def test_logistic_drivers_are_coefficient_times_standardised_distance_from_the_median() -> None:
    train, scored = snapshots(2000, 1), snapshots(50, 2, prefix="S")
    model = churn.fit(train, "logistic_regression", seed=3)
    _, scaler, logistic = model.estimator.steps  # no unknown value: the imputer passes through
    x = np.log1p(np.column_stack([scored.column(f).to_numpy() for f in churn.FEATURES]))
    x_train = np.log1p(np.column_stack([train.column(f).to_numpy() for f in churn.FEATURES]))
    median = np.sort(x_train, axis=0)[(train.num_rows - 1) // 2]  # the lower median
    by_hand = logistic[1].coef_[0] * ((x - median) / scaler[1].scale_)
    np.testing.assert_allclose(churn_drivers.contributions(model, x), by_hand, atol=1e-9)

    columns = churn_drivers.top_drivers(model, scored)
    codes = [columns[0].to_pylist(), columns[2].to_pylist(), columns[4].to_pylist()]
    # linear: the score differs from the typical customer's by the sum of the contributions
    toward = by_hand * np.sign(by_hand.sum(axis=1))[:, np.newaxis]
    for row in range(scored.num_rows):
        ranked = [
            j for j in sorted(range(8), key=lambda j: (-toward[row, j], j)) if toward[row, j] > 0
        ]
        expected = [churn.FEATURES[j] for j in ranked[:3]]
        assert [c for c in (codes[rank][row] for rank in range(3)) if c] == expected
    top = sorted(range(8), key=lambda j: (-toward[0, j], j))[0]
    feature = churn.FEATURES[top]
    value = scored.column(feature)[0].as_py()
    typical = sorted(train.column(feature).to_pylist())[(train.num_rows - 1) // 2]
    level = "high" if value > typical else "low"
    effect = "raising" if by_hand[0, top] > 0 else "lowering"
    assert columns[1][0].as_py() == (
        f"{churn_drivers.LABELS[feature]} is {level} ({value:,.0f} vs typical {typical:,.0f}), "
        f"{effect} the churn risk"
    )


def test_tree_drivers_and_calibrated_scores_come_in_batches_as_at_once() -> None:
    train, scored = snapshots(1500, 1), snapshots(300, 2, prefix="S")
    model = churn.fit(
        train, "gradient_boosting", 3, {"max_leaf_nodes": 7, "max_iter": 50}, "sigmoid"
    )
    whole = churn_drivers.top_drivers(model, scored)
    batches = [churn_drivers.top_drivers(model, b) for b in scored.to_batches(max_chunksize=64)]
    for index, column in enumerate(whole):
        assert column.to_pylist() == [value for b in batches for value in b[index].to_pylist()]
    assert set(whole[0].to_pylist()) <= {*churn.FEATURES, None}
    assert whole[0].null_count < scored.num_rows / 10  # most rows have a first driver
    probability = np.concatenate([model(b) for b in scored.to_batches(max_chunksize=64)])
    np.testing.assert_allclose(probability, model(scored), rtol=1e-12)
    assert ((probability >= 0) & (probability <= 1)).all()

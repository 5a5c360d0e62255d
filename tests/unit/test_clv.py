"""Customer lifetime value (customer360.ml.clv): BG/NBD and Gamma-Gamma recover known
parameters from simulated customers, agree with the reference implementation lifetimes
(0.11.3, a test-only dependency) on the same data, the closed forms agree with a direct
numerical integration over the individual-level model, and P(alive) follows the model's
definition.

Simulations use CDNOW's published fits (Fader, Hardie and Lee 2005; Fader and Hardie
2013), with time in days: r = 0.243, alpha = 4.414 weeks = 30.9 days, a = 0.793, b = 2.426;
p = 6.25, q = 3.74, v = 15.44. 5,000 customers who made their first purchase 189 to 273
days (27 to 39 weeks) before the end, as in CDNOW's cohort.

Tolerance of the recovered parameters: 3.5 standard errors, from the observed Fisher
information (the numerical Hessian of the log-likelihood at the estimate, on the
log-parameters the fit searches). A maximum-likelihood estimate is asymptotically normal
around the true value with that spread, so a correct fit lands within 3.5 standard
errors with probability 0.9995 per parameter; a wrong likelihood or a failed optimiser
lands far outside. The standard errors themselves are bounded, so the test cannot pass
by being vague.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import integrate, stats
from scipy.special import hyp2f1

from customer360.ml import clv

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # lifetimes 0.11.3 sets a pandas option pandas 3 deprecates
    import lifetimes

PURCHASE = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}
VALUE = {"p": 6.25, "q": 3.74, "v": 15.44}
CUSTOMERS = 5000
HOLDOUT_DAYS = 39 * 7
SETTINGS = clv.Settings(horizon_days=90, months=12, monthly_discount_rate=0.01)


def simulate(seed: int = 11) -> dict[str, np.ndarray]:
    """x, t_x, T of simulated BG/NBD customers, their purchases in the HOLDOUT_DAYS after
    T, and the mean value m of their repeat purchases (Gamma-Gamma; NaN without one)."""
    rng = np.random.default_rng(seed)
    big_t = rng.uniform(189, 273, CUSTOMERS)
    rates = rng.gamma(PURCHASE["r"], 1 / PURCHASE["alpha"], CUSTOMERS)
    dropout = rng.beta(PURCHASE["a"], PURCHASE["b"], CUSTOMERS)
    x, t_x, holdout = (np.zeros(CUSTOMERS) for _ in range(3))
    for i in range(CUSTOMERS):
        time, alive = 0.0, True
        while alive:
            time += rng.exponential(1 / rates[i])
            if time > big_t[i] + HOLDOUT_DAYS:
                break
            if time <= big_t[i]:
                x[i], t_x[i] = x[i] + 1, time
            else:
                holdout[i] += 1
            alive = rng.random() >= dropout[i]
    nu = rng.gamma(VALUE["q"], 1 / VALUE["v"], CUSTOMERS)
    repeat = x > 0
    m = np.full(CUSTOMERS, np.nan)
    # the mean of x Gamma(p, nu) values is Gamma(p x, x nu)
    m[repeat] = rng.gamma(VALUE["p"] * x[repeat], 1 / (x[repeat] * nu[repeat]))
    return {"x": x, "t_x": t_x, "T": big_t, "holdout": holdout, "m": m}


@pytest.fixture(scope="module")
def population() -> dict[str, np.ndarray]:
    return simulate()


@pytest.fixture(scope="module")
def purchase_fit(population) -> clv.Fit:
    return clv.fit_purchases(population["x"], population["t_x"], population["T"])


@pytest.fixture(scope="module")
def value_fit(population) -> clv.Fit:
    return clv.fit_values(population["x"], population["m"])


def log_standard_errors(log_likelihood, estimate: dict[str, float]) -> np.ndarray:
    """Standard errors of the log-parameters: the inverse of the observed information,
    by central finite differences of the total log-likelihood."""
    theta = np.log(np.array(list(estimate.values())))
    step = 1e-4 * np.eye(len(theta))

    def total(point: np.ndarray) -> float:
        return float(np.sum(log_likelihood(np.exp(point))))

    hessian = np.array(
        [
            [
                (
                    total(theta + di + dj)
                    - total(theta + di - dj)
                    - total(theta - di + dj)
                    + total(theta - di - dj)
                )
                / (4 * 1e-8)
                for dj in step
            ]
            for di in step
        ]
    )
    return np.sqrt(np.diag(np.linalg.inv(-hessian)))


def assert_recovered(fit: clv.Fit, truth: dict[str, float], log_likelihood) -> None:
    assert fit.status == "fitted" and fit.is_converged
    errors = log_standard_errors(log_likelihood, fit.parameters)
    assert np.all(errors < 0.5), errors  # informative: one standard error below a factor 1.65
    found = np.array([fit.parameters[name] for name in truth])
    distance = np.abs(np.log(found) - np.log(list(truth.values())))
    assert np.all(distance < 3.5 * errors), (fit.parameters, errors)


def test_bgnbd_recovers_known_parameters(population, purchase_fit) -> None:
    x, t_x, big_t = population["x"], population["t_x"], population["T"]
    assert 0.3 < np.mean(x > 0) < 0.7  # both one-time and repeat buyers, as in CDNOW
    assert purchase_fit.customers == CUSTOMERS
    assert_recovered(
        purchase_fit, PURCHASE, lambda theta: clv.purchase_log_likelihood(theta, x, t_x, big_t)
    )


def test_gamma_gamma_recovers_known_parameters(population, value_fit) -> None:
    repeat = population["x"] > 0
    x, m = population["x"][repeat], population["m"][repeat]
    assert value_fit.customers == repeat.sum()
    assert_recovered(value_fit, VALUE, lambda theta: clv.value_log_likelihood(theta, x, m))


def test_the_fit_is_the_maximum_of_the_likelihood(population, purchase_fit) -> None:
    """No nearby point has a higher likelihood: the optimiser stopped at the maximum."""
    x, t_x, big_t = population["x"], population["t_x"], population["T"]
    best = np.array(list(purchase_fit.parameters.values()))
    at_best = clv.purchase_log_likelihood(best, x, t_x, big_t).sum()
    assert at_best == pytest.approx(purchase_fit.log_likelihood, rel=1e-12)
    for direction in np.vstack([np.eye(4), -np.eye(4)]):
        moved = best * np.exp(1e-3 * direction)
        assert clv.purchase_log_likelihood(moved, x, t_x, big_t).sum() <= at_best


def test_expected_purchases_match_the_simulated_holdout(population, purchase_fit) -> None:
    """The conditional expectation at the fitted parameters predicts the purchases the
    simulation made in the holdout: on average per customer, overall and by repeat
    purchases (0, 1, 2, 3+), within 3 standard errors of the simulated mean."""
    x, t_x, big_t, actual = (population[name] for name in ("x", "t_x", "T", "holdout"))
    predicted = clv.expected_purchases(purchase_fit.parameters, HOLDOUT_DAYS, x, t_x, big_t)
    groups = np.minimum(x, 3)
    for group in [None, 0, 1, 2, 3]:
        chosen = np.ones(CUSTOMERS, bool) if group is None else groups == group
        error = actual[chosen].std() / np.sqrt(chosen.sum())
        assert abs(predicted[chosen].mean() - actual[chosen].mean()) < 3 * error, group


def test_fits_and_figures_equal_lifetimes(population, purchase_fit, value_fit) -> None:
    """lifetimes fits the same likelihoods with autograd's gradients and BFGS: the
    parameters agree to 1e-5 (both optimisers stop within their tolerances of one
    maximum), and at equal parameters P(alive), the expected purchases, the expected
    purchase value and the CLV (lifetimes' months are 30 days) agree to rounding."""
    x, t_x, big_t, m = (population[name] for name in ("x", "t_x", "T", "m"))
    repeat = x > 0
    purchases = lifetimes.BetaGeoFitter().fit(pd.Series(x), pd.Series(t_x), pd.Series(big_t))
    values = lifetimes.GammaGammaFitter().fit(pd.Series(x[repeat]), pd.Series(m[repeat]))
    for fit, reference in ((purchase_fit, purchases), (value_fit, values)):
        assert fit.parameters == pytest.approx(dict(reference.params_), rel=1e-5)
    purchases.params_ = pd.Series(purchase_fit.parameters)
    values.params_ = pd.Series(value_fit.parameters)
    assert clv.p_alive(purchase_fit.parameters, x, t_x, big_t) == pytest.approx(
        purchases.conditional_probability_alive(x, t_x, big_t), rel=1e-12
    )
    for days in (90, 365):
        assert clv.expected_purchases(purchase_fit.parameters, days, x, t_x, big_t) == (
            pytest.approx(
                purchases.conditional_expected_number_of_purchases_up_to_time(days, x, t_x, big_t),
                rel=1e-9,
            )
        )
    known = np.where(repeat, m, 0.0)  # lifetimes takes 0 for customers without a repeat
    assert clv.expected_order_value(value_fit.parameters, x, m) == pytest.approx(
        values.conditional_expected_average_profit(pd.Series(x), pd.Series(known)), rel=1e-12
    )
    reference_clv = values.customer_lifetime_value(
        purchases,
        pd.Series(x),
        pd.Series(t_x),
        pd.Series(big_t),
        pd.Series(known),
        time=12,
        discount_rate=0.01,
        freq="D",
    )
    ours = clv.predicted_clv(
        purchase_fit.parameters, value_fit.parameters, 12, 0.01, (x, t_x, big_t, m), 30
    )
    assert ours == pytest.approx(reference_clv.to_numpy(), rel=1e-9)


def individual(x: float, t_x: float, big_t: float, rate: float, dropout: float) -> tuple:
    """The individual-level BG/NBD likelihood of (x, t_x, T) given λ and p, split into the
    part where the customer is still alive at T and the part where they dropped out after
    their last purchase."""
    alive = (1 - dropout) ** x * rate**x * np.exp(-rate * big_t)
    dead = (
        dropout * (1 - dropout) ** (x - 1) * rate**x * np.exp(-rate * t_x) if x > 0 else 0 * alive
    )
    return alive, dead


@functools.cache
def unit_interval_nodes(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [0, 1] (computed once: an eigenvalue problem)."""
    points, weights = np.polynomial.legendre.leggauss(nodes)
    return (points + 1) / 2, weights / 2


def integrated(function, parameters: dict[str, float], nodes: int = 1500) -> float:
    """∫∫ function(λ, p) over the mixing distributions Gamma(r, alpha) * Beta(a, b): in their
    quantiles u and v, ∫₀¹∫₀¹ function(G⁻¹(u), B⁻¹(v)) du dv, which removes the densities'
    singularities at 0, by Gauss-Legendre quadrature on a nodes * nodes grid."""
    points, weights = unit_interval_nodes(nodes)
    rates = stats.gamma(parameters["r"], scale=1 / parameters["alpha"]).ppf(points)
    dropouts = stats.beta(parameters["a"], parameters["b"]).ppf(points)
    grid = function(rates[:, None], dropouts[None, :])
    return float(weights @ grid @ weights)


CASES = [(0, 0, 200), (1, 30, 200), (4, 150, 250), (2, 10, 260)]


@pytest.mark.parametrize(("x", "t_x", "big_t"), CASES)
def test_closed_forms_equal_a_numerical_integration(x, t_x, big_t) -> None:
    """The closed forms against the model's definition, independently of any formula: the
    likelihood, P(alive) and the expected purchases in 90 days, integrated numerically
    over λ and p from the individual-level model. An alive customer makes
    (1 - e^(-λ p t)) / p purchases in t on average."""
    horizon = 90.0
    likelihood = integrated(lambda rate, p: sum(individual(x, t_x, big_t, rate, p)), PURCHASE)
    alive = integrated(lambda rate, p: individual(x, t_x, big_t, rate, p)[0], PURCHASE)
    purchases = integrated(
        lambda rate, p: individual(x, t_x, big_t, rate, p)[0] * -np.expm1(-rate * p * horizon) / p,
        PURCHASE,
    )
    theta = tuple(PURCHASE.values())
    data = (np.array([x]), np.array([t_x]), np.array([big_t]))
    assert clv.purchase_log_likelihood(theta, *data)[0] == pytest.approx(
        np.log(likelihood), rel=1e-7
    )
    assert clv.p_alive(PURCHASE, *data)[0] == pytest.approx(alive / likelihood, rel=1e-6)
    assert clv.expected_purchases(PURCHASE, horizon, *data)[0] == pytest.approx(
        purchases / likelihood, rel=1e-6
    )


def test_gamma_gamma_likelihood_and_expectation_equal_an_integration() -> None:
    """The Gamma-Gamma likelihood of a mean m of x purchases integrated over nu numerically,
    and the expected purchase value p E[1 / nu | x, m] from the same posterior."""
    x, m = 3.0, 42.0
    nus = stats.gamma(VALUE["q"], scale=1 / VALUE["v"])

    def density(nu: float) -> float:
        return stats.gamma(VALUE["p"] * x, scale=1 / (x * nu)).pdf(m) * nus.pdf(nu)

    likelihood, _ = integrate.quad(density, 0, np.inf, epsabs=1e-15, epsrel=1e-10)
    inverse_nu, _ = integrate.quad(
        lambda nu: density(nu) / nu, 0, np.inf, epsabs=1e-15, epsrel=1e-10
    )
    theta = tuple(VALUE.values())
    assert clv.value_log_likelihood(theta, np.array([x]), np.array([m]))[0] == pytest.approx(
        np.log(likelihood), rel=1e-8
    )
    expected = VALUE["p"] * inverse_nu / likelihood
    assert clv.expected_order_value(VALUE, np.array([x]), np.array([m]))[0] == pytest.approx(
        expected, rel=1e-7
    )


def test_euler_form_equals_the_paper_form_and_stays_finite() -> None:
    """The expected purchases computed after Euler's transformation equal the paper's
    formula where that one is finite, and stay finite where its 2F1 overflows."""
    r, alpha, a, b = PURCHASE.values()
    x, t_x, big_t, t = np.array([0.0, 3, 20]), np.array([0.0, 50, 180]), 200.0, 90.0
    paper = (
        (a + b + x - 1)
        / (a - 1)
        * (
            1
            - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
        )
        * clv.p_alive(PURCHASE, x, t_x, big_t)
    )
    ours = clv.expected_purchases(PURCHASE, t, x, t_x, big_t)
    assert ours == pytest.approx(paper, rel=1e-9)
    heavy = clv.expected_purchases(PURCHASE, t, np.array([2000.0]), np.array([199.0]), big_t)
    assert np.isfinite(heavy).all() and heavy[0] > 0


def test_p_alive_is_one_without_a_repeat_purchase() -> None:
    """BG/NBD lets a customer drop out only right after a repeat purchase, so one who
    made none is alive by the model's definition, however long ago they bought; their
    expected purchases still fall the longer they have been quiet (λ's posterior mean
    r / (alpha + T) falls with T)."""
    big_t = np.array([1.0, 30, 365, 3650])
    zeros = np.zeros(4)
    assert clv.p_alive(PURCHASE, zeros, zeros, big_t).tolist() == [1.0] * 4
    purchases = clv.expected_purchases(PURCHASE, 90, zeros, zeros, big_t)
    assert np.all(np.diff(purchases) < 0)
    # a repeat buyer quiet since their last purchase is less likely alive the longer it lasts
    ones = np.ones(4)
    assert np.all(np.diff(clv.p_alive(PURCHASE, ones, ones, big_t + 1)) < 0)


def test_predicted_clv_discounts_each_months_expected_value() -> None:
    """Over one month, the CLV is the value of that month's expected purchases
    discounted once; over twelve, the sum of the months' discounted values; with a zero
    rate, expected value * expected purchases over the whole horizon."""
    inputs = (np.array([2.0]), np.array([100.0]), np.array([200.0]), np.array([30.0]))
    value = clv.expected_order_value(VALUE, inputs[0], inputs[3])[0]
    month = clv.DAYS_PER_MONTH
    first = clv.expected_purchases(PURCHASE, month, *inputs[:3])[0]
    assert clv.predicted_clv(PURCHASE, VALUE, 1, 0.01, inputs)[0] == pytest.approx(
        value * first / 1.01
    )
    year = clv.expected_purchases(PURCHASE, 12 * month, *inputs[:3])[0]
    assert clv.predicted_clv(PURCHASE, VALUE, 12, 0.0, inputs)[0] == pytest.approx(value * year)
    discounted = clv.predicted_clv(PURCHASE, VALUE, 12, 0.01, inputs)[0]
    assert value * year / 1.01**12 < discounted < value * year / 1.01


def test_scores_of_a_batch_leave_unknowns_null() -> None:
    """A repeat buyer with an unknown value gets P(alive) and expected purchases but no
    value or CLV; a one-time buyer gets the population's mean value; without a fitted
    model every figure is null."""
    batch = pa.record_batch(
        {
            "customer_id": ["once", "priced", "unpriced"],
            "repeat_purchase_days": pa.array([0, 2, 2], pa.int64()),
            "purchase_span_days": pa.array([0, 40, 40], pa.int64()),
            "active_days": pa.array([100, 120, 120], pa.int64()),
            "avg_repeat_purchase_value": pa.array([None, 25.0, None], pa.float64()),
        }
    )
    scored = clv.score(batch, PURCHASE, VALUE, SETTINGS).to_pylist()
    assert scored[0]["p_alive"] == 1.0
    assert scored[0]["expected_order_value"] == pytest.approx(
        VALUE["p"] * VALUE["v"] / (VALUE["q"] - 1)
    )
    assert all(row["p_alive"] is not None for row in scored)
    assert all(row["expected_purchases_horizon"] > 0 for row in scored)
    assert scored[1]["predicted_clv"] > 0
    assert (scored[2]["expected_order_value"], scored[2]["predicted_clv"]) == (None, None)
    unfitted = clv.score(batch, None, None, SETTINGS).to_pylist()
    assert [value for row in unfitted for key, value in row.items() if key != "customer_id"] == [
        None
    ] * 12


def parameters_row(sample: pa.Table) -> dict:
    [row] = clv.parameters_table(sample, None, SETTINGS).to_pylist()
    return row


def test_too_little_data_is_not_fitted_and_says_why() -> None:
    """No buyer; only one-time buyers; repeat purchases of one single value (e.g. every
    order 9.50): nothing to fit, and the parameter table says which model and why."""
    columns = ["customer_id", *clv.INPUTS]

    def sample(*rows) -> pa.Table:
        return pa.Table.from_pylist(
            [dict(zip(columns, row, strict=True)) for row in rows],
            schema=pa.schema(
                [("customer_id", pa.string())]
                + [(name, pa.int64()) for name in clv.INPUTS[:3]]
                + [(clv.INPUTS[3], pa.float64())]
            ),
        )

    empty = parameters_row(sample())
    assert empty["purchase_fit_status"] == "not fitted: no buying customer"
    assert clv.stored_parameters(empty, "purchase") is None
    once = parameters_row(sample(("a", 0, 0, 10, None), ("b", 0, 0, 20, None)))
    assert once["purchase_fit_status"] == "not fitted: no repeat purchase in the sample"
    assert once["value_fit_status"].startswith("not fitted: too few repeat purchases")
    same = parameters_row(sample(("a", 1, 5, 10, 9.5), ("b", 2, 8, 20, 9.5), ("c", 0, 0, 15, None)))
    assert same["purchase_fit_status"].startswith("fitted")
    assert same["value_fit_status"] == "not fitted: every repeat purchase has one value"
    assert clv.stored_parameters(same, "value") is None


def test_the_fit_is_deterministic(population) -> None:
    """The same sample in another row order gives the same parameters to the last bit:
    equal customers are merged into sorted, weighted rows before fitting."""
    order = np.random.default_rng(5).permutation(2000)
    inputs = [population[name][:2000] for name in ("x", "t_x", "T")]
    first = clv.fit_purchases(*inputs)
    again = clv.fit_purchases(*(column[order] for column in inputs))
    assert first.parameters == again.parameters

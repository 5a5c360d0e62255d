"""Customer lifetime value: BG/NBD for the purchases, Gamma-Gamma for their value.

BG/NBD (Fader, Hardie and Lee 2005): while alive, a customer buys at a Poisson rate
lambda ~ Gamma(r, alpha); after each repeat purchase they drop out with probability
p ~ Beta(a, b). Gamma-Gamma (Fader, Hardie 2013): the value of a purchase is
Gamma(p, nu) with nu ~ Gamma(q, v) per customer, independent of the purchase process.
Both are fitted by maximum likelihood (scipy) on a customer's repeat-purchase summary:
x repeat purchase days, t_x days from the first to the last purchase day, T days from
the first purchase day to the as-of date, and the mean value m of the repeat purchase
days. The conditional expectations are the papers' closed forms; the one with the Gauss
hypergeometric function has no SQL counterpart, so scoring is here, in Arrow batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy.optimize import minimize
from scipy.special import betaln, expit, gammaln, hyp2f1

# the columns of `customer_repeat_purchases` the models read: x, t_x, T and m
INPUTS = [
    "repeat_purchase_days",
    "purchase_span_days",
    "active_days",
    "avg_repeat_purchase_value",
]
PURCHASE_PARAMETERS = ("r", "alpha", "a", "b")
VALUE_PARAMETERS = ("p", "q", "v")
# a month of the CLV horizon, in days: a calendar year's mean month
DAYS_PER_MONTH = 365.25 / 12
# log-parameters are searched within these bounds (parameters from 5e-7 to 2e6)
LOG_BOUNDS = (-14.5, 14.5)


@dataclass(frozen=True)
class Fit:
    """A maximum-likelihood fit: parameters (None when not fitted, with the reason in
    status), the log-likelihood at them, whether the optimiser converged, customers used."""

    parameters: dict[str, float] | None
    log_likelihood: float | None
    is_converged: bool
    customers: int
    status: str


def purchase_log_likelihood(parameters, x, t_x, big_t) -> np.ndarray:
    """Each customer's BG/NBD log-likelihood of (x, t_x, T), in its numerically stable form:
    ln L = A1 + A2 + ln(exp(A3) + [x > 0] exp(A4)) with
    A1 = ln Γ(r + x) - ln Γ(r) + r ln alpha, A2 = ln B(a, b + x) - ln B(a, b),
    A3 = -(r + x) ln(alpha + T), A4 = ln a - ln(b + x - 1) - (r + x) ln(alpha + t_x)."""
    r, alpha, a, b = parameters
    repeat = x > 0
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + big_t)
    a4 = np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x)
    return a1 + a2 + np.logaddexp(a3, np.where(repeat, a4, -np.inf))


def value_log_likelihood(parameters, x, m) -> np.ndarray:
    """Each repeat customer's Gamma-Gamma log-likelihood of the mean value m of their x
    repeat purchases: m ~ Gamma(p x, x nu) given nu, integrated over nu ~ Gamma(q, v)."""
    p, q, v = parameters
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + x * m)
    )


def maximise(
    log_likelihood: Callable[[np.ndarray], np.ndarray], start: np.ndarray, weights: np.ndarray
) -> tuple[list[float], bool]:
    """Parameters maximising the weighted log-likelihood, searched on their logarithms
    (so they stay positive), and whether the search converged inside the bounds:
    L-BFGS-B, then Nelder-Mead from its answer, which confirms the optimum where
    L-BFGS-B's finite-difference line search stops short of it."""
    total = weights.sum()

    def objective(log_parameters: np.ndarray) -> float:
        value = -np.dot(weights, log_likelihood(np.exp(log_parameters))) / total
        return float(value) if np.isfinite(value) else np.inf

    bounds = [LOG_BOUNDS] * len(start)
    first = minimize(objective, np.log(start), method="L-BFGS-B", bounds=bounds)
    second = minimize(
        objective,
        first.x,
        method="Nelder-Mead",
        bounds=bounds,
        options={"xatol": 1e-7, "fatol": 1e-11, "maxiter": 4000},
    )
    best = second if second.fun <= first.fun else first
    low, high = LOG_BOUNDS
    at_bound = bool(np.any((best.x < low + 1e-3) | (best.x > high - 1e-3)))
    converged = bool(second.success and np.isfinite(best.fun) and not at_bound)
    return [float(value) for value in np.exp(best.x)], converged


def fit_purchases(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> Fit:
    """BG/NBD by maximum likelihood. Customers with the same (x, t_x, T) are one weighted
    row; time is scaled so the longest T is 10 while fitting (alpha is given in days)."""
    customers = len(x)
    if customers == 0 or not np.any(x > 0):
        reason = "no buying customer" if customers == 0 else "no repeat purchase in the sample"
        return Fit(None, None, False, customers, f"not fitted: {reason}")
    rows, weights = np.unique(
        np.column_stack([x, t_x, big_t]).astype(float), axis=0, return_counts=True
    )
    scale = 10.0 / rows[:, 2].max()
    scaled = (rows[:, 0], rows[:, 1] * scale, rows[:, 2] * scale)
    found, converged = maximise(
        lambda theta: purchase_log_likelihood(theta, *scaled), np.ones(4), weights.astype(float)
    )
    r, alpha, a, b = found
    parameters = {"r": r, "alpha": float(alpha / scale), "a": a, "b": b}
    log_likelihood = float(
        np.dot(weights, purchase_log_likelihood(tuple(parameters.values()), *rows.T))
    )
    status = "fitted" if converged else "fitted, but the optimiser did not converge"
    return Fit(parameters, log_likelihood, converged, customers, status)


def fit_values(x: np.ndarray, m: np.ndarray) -> Fit:
    """Gamma-Gamma by maximum likelihood on the repeat customers with a known, positive
    mean value; values are scaled to mean 1 while fitting (v is given in currency)."""
    usable = (x > 0) & np.isfinite(m) & (m > 0)
    x, m = x[usable].astype(float), m[usable].astype(float)
    if len(x) < 2:
        return Fit(None, None, False, len(x), "not fitted: too few repeat purchases of known value")
    if np.all(m == m[0]):
        return Fit(None, None, False, len(x), "not fitted: every repeat purchase has one value")
    scale = 1.0 / m.mean()
    found, converged = maximise(
        lambda theta: value_log_likelihood(theta, x, m * scale), np.ones(3), np.ones(len(x))
    )
    p, q, v = found
    parameters = {"p": p, "q": q, "v": float(v / scale)}
    log_likelihood = float(value_log_likelihood(tuple(parameters.values()), x, m).sum())
    status = "fitted" if converged else "fitted, but the optimiser did not converge"
    if not defines_mean_value(parameters):
        status = "fitted, but q <= 1: the mean purchase value is not defined"
    return Fit(parameters, log_likelihood, converged, len(x), status)


def defines_mean_value(parameters: dict[str, float]) -> bool:
    """Gamma-Gamma's mean purchase value p v / (q - 1) is finite only for q > 1."""
    return parameters["q"] > 1


def p_alive(parameters: dict[str, float], x, t_x, big_t) -> np.ndarray:
    """P(alive | x, t_x, T)
    = 1 / (1 + [x > 0] a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)).
    A customer without a repeat purchase is alive by the model's definition: BG/NBD lets a
    customer drop out only right after a repeat purchase."""
    r, alpha, a, b = (parameters[name] for name in PURCHASE_PARAMETERS)
    repeat = x > 0
    log_odds_dead = (
        np.log(a)
        - np.log(np.where(repeat, b + x - 1, 1.0))
        + (r + x) * np.log((alpha + big_t) / (alpha + t_x))
    )
    return np.where(repeat, expit(-log_odds_dead), 1.0)


def expected_purchases(parameters: dict[str, float], t, x, t_x, big_t) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T] = P(alive) (a + b + x - 1) / (a - 1)
    * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z)], with
    z = t / (alpha + T + t). The bracket is computed after Euler's transformation,
    1 - (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z), which is the same
    number but stays finite for customers with many purchases. Valid for a < 1 too (as
    in the paper's own CDNOW fit, a = 0.79); a = 1 exactly is a removable singularity."""
    r, alpha, a, b = (parameters[name] for name in PURCHASE_PARAMETERS)
    z = t / (alpha + big_t + t)
    bracket = 1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * bracket * p_alive(parameters, x, t_x, big_t)


def expected_order_value(parameters: dict[str, float], x, m) -> np.ndarray:
    """E[value of a purchase | x, m] = p (v + x m) / (p x + q - 1): between the
    population mean p v / (q - 1) (x = 0) and the customer's own mean m, weighted by x.
    m does not count for a customer without a repeat purchase; unknown (NaN) otherwise."""
    p, q, v = (parameters[name] for name in VALUE_PARAMETERS)
    own = np.where(x > 0, m, 0.0)
    return p * (v + x * own) / (p * x + q - 1)


def predicted_clv(
    purchase: dict[str, float],
    value: dict[str, float],
    months: int,
    monthly_discount_rate: float,
    inputs: tuple[np.ndarray, ...],
    days_per_month: float = DAYS_PER_MONTH,
) -> np.ndarray:
    """Σ over months i = 1 … months of E[value] * E[purchases in month i]
    / (1 + monthly_discount_rate)^i: each month's expected purchases, valued at the
    expected purchase value and discounted to the as-of date from the month's end."""
    x, t_x, big_t, m = inputs
    cumulative = [
        expected_purchases(purchase, month * days_per_month, x, t_x, big_t)
        for month in range(months + 1)
    ]
    discount = (1 + monthly_discount_rate) ** -np.arange(1, months + 1)
    purchases = np.diff(np.vstack(cumulative), axis=0)
    return expected_order_value(value, x, m) * (discount @ purchases)


@dataclass(frozen=True)
class Settings:
    """The vars scoring uses: the horizon of expected purchases (the churn horizon), and
    the CLV horizon in months with its monthly discount rate."""

    horizon_days: int
    months: int
    monthly_discount_rate: float


PARAMETERS_SCHEMA = pa.schema(
    [
        ("purchase_fit_status", pa.string()),
        ("value_fit_status", pa.string()),
        ("fit_sample_customers", pa.int64()),
        ("value_fit_customers", pa.int64()),
        ("bgnbd_r", pa.float64()),
        ("bgnbd_alpha", pa.float64()),
        ("bgnbd_a", pa.float64()),
        ("bgnbd_b", pa.float64()),
        ("purchase_log_likelihood", pa.float64()),
        ("gamma_gamma_p", pa.float64()),
        ("gamma_gamma_q", pa.float64()),
        ("gamma_gamma_v", pa.float64()),
        ("value_log_likelihood", pa.float64()),
        ("frequency_value_correlation", pa.float64()),
        ("horizon_days", pa.int32()),
        ("clv_horizon_months", pa.int32()),
        ("monthly_discount_rate", pa.float64()),
        ("days_per_month", pa.float64()),
        ("is_purchase_fit_converged", pa.bool_()),
        ("is_value_fit_converged", pa.bool_()),
        ("as_of_date", pa.date32()),
    ]
)
SCORES_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("p_alive", pa.float64()),
        ("expected_purchases_horizon", pa.float64()),
        ("expected_order_value", pa.float64()),
        ("predicted_clv", pa.float64()),
    ]
)
PREFIXES = {"purchase": "bgnbd_", "value": "gamma_gamma_"}


def columns(table: pa.Table | pa.RecordBatch) -> tuple[np.ndarray, ...]:
    """x, t_x, T and m of a table of INPUTS as float arrays; an unknown m is NaN."""
    return tuple(table.column(name).to_numpy(zero_copy_only=False).astype(float) for name in INPUTS)


def frequency_value_correlation(x: np.ndarray, m: np.ndarray) -> float | None:
    """Pearson correlation of x and m over the customers the value model is fitted on:
    Gamma-Gamma assumes the value of purchases independent of their number, so it should
    be near 0."""
    usable = (x > 0) & np.isfinite(m) & (m > 0)
    if usable.sum() < 2 or np.ptp(x[usable]) == 0 or np.ptp(m[usable]) == 0:
        return None
    return float(np.corrcoef(x[usable], m[usable])[0, 1])


def parameters_table(sample: pa.Table, as_of, settings: Settings) -> pa.Table:
    """One row: both models fitted on the sample of INPUTS, with their diagnostics and the
    settings scoring uses."""
    x, t_x, big_t, m = columns(sample)
    purchase, value = fit_purchases(x, t_x, big_t), fit_values(x, m)
    row = {
        "purchase_fit_status": purchase.status,
        "value_fit_status": value.status,
        "fit_sample_customers": purchase.customers,
        "value_fit_customers": value.customers,
        "purchase_log_likelihood": purchase.log_likelihood,
        "value_log_likelihood": value.log_likelihood,
        "frequency_value_correlation": frequency_value_correlation(x, m),
        "horizon_days": settings.horizon_days,
        "clv_horizon_months": settings.months,
        "monthly_discount_rate": settings.monthly_discount_rate,
        "days_per_month": DAYS_PER_MONTH,
        "is_purchase_fit_converged": purchase.is_converged,
        "is_value_fit_converged": value.is_converged,
        "as_of_date": as_of,
    }
    for kind, fit, names in (
        ("purchase", purchase, PURCHASE_PARAMETERS),
        ("value", value, VALUE_PARAMETERS),
    ):
        for name in names:
            row[PREFIXES[kind] + name] = fit.parameters[name] if fit.parameters else None
    return pa.Table.from_pylist([row], schema=PARAMETERS_SCHEMA)


def stored_parameters(row: dict, kind: str) -> dict[str, float] | None:
    """The purchase or value parameters of a row of PARAMETERS_SCHEMA, or None when that
    model cannot score: not fitted, or (value) q <= 1."""
    names = PURCHASE_PARAMETERS if kind == "purchase" else VALUE_PARAMETERS
    found = {name: row[PREFIXES[kind] + name] for name in names}
    if any(value is None for value in found.values()):
        return None
    return found if kind == "purchase" or defines_mean_value(found) else None


def score(
    batch: pa.RecordBatch,
    purchase: dict[str, float] | None,
    value: dict[str, float] | None,
    settings: Settings,
) -> pa.RecordBatch:
    """The CLV figures of a batch of customers (customer_id and INPUTS); a figure whose
    model cannot score, or whose input is unknown, is null."""
    x, t_x, big_t, m = columns(batch)
    unknown = np.full(batch.num_rows, np.nan)
    alive = horizon = order_value = clv = unknown
    with np.errstate(all="ignore"):  # an unknown input gives NaN, stored as null
        if purchase:
            alive = p_alive(purchase, x, t_x, big_t)
            horizon = expected_purchases(purchase, settings.horizon_days, x, t_x, big_t)
        if value:
            order_value = expected_order_value(value, x, m)
        if purchase and value:
            clv = predicted_clv(
                purchase,
                value,
                settings.months,
                settings.monthly_discount_rate,
                (x, t_x, big_t, m),
            )
    return pa.record_batch(
        [
            batch.column("customer_id").cast(pa.string()),
            *(
                pa.array(figure, pa.float64(), from_pandas=True)
                for figure in (alive, horizon, order_value, clv)
            ),
        ],
        schema=SCORES_SCHEMA,
    )

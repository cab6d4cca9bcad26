"""Hidden tests of homework 8 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw08.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises.

Inputs drawn per submission: the calls of ``classic_gaussian_release``,
``noisy_max_runs`` and ``consistent_children`` take the submission's ``rng``
(see ``course_tools.grading.spec``), and their checks compute every reference
from the calls they receive. ``classic_gaussian_release`` draws the values
to release and the seeds of the Generators its calls hand to the student;
``noisy_max_runs`` draws those seeds only (its values are hand-written, chosen
to tell the wrong scales apart); ``consistent_children`` draws its long noisy
vector and its parent; ``tracing_threshold`` draws the exposure counts of
its places (and their number) in ten cases. Fixed: the public checks' cases
(with their seeds), the hand-written cases, the occupation counts of the
adult data, and the whole of ``zcdp_sigma`` and ``exponential_probabilities``.

``tracing_threshold`` is open: any threshold whose expected cost is within
0.1% of the smallest one passes (``TRACE_RTOL``); the check computes that
minimum itself (a fine grid and a bounded search) and tests the property.
Its false-failure rate is zero.

Deterministic parts (``zcdp_sigma``, ``exponential_probabilities``,
``consistent_children``) are compared with reference values at a relative
tolerance of 1e-6: their false-failure rate is zero.

Randomised parts (``classic_gaussian_release``, ``noisy_max_runs``) are
checked statistically, never draw by draw, so that a correct answer drawing
in another order or with another sampler passes. Every statistic is tested
exactly for a correct answer, whatever inputs were drawn, and each test cell
states its false-failure rate (at most 1e-6 in total, Bonferroni over every
statistic it checks) in a comment.
See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import optimize, stats

from course_lib.datasets import load_adult
from course_lib.privacy import (
    classic_gaussian_sigma,
    exponential_mechanism_probabilities,
)
from course_tools.grading.checks import binomial_ok, signs_independent
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

RTOL = 1e-6


def _float_array(value, name: str, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Fail(f"{name} must return numbers; got {type(value).__name__}") from None
    if arr.shape != shape:
        raise Fail(f"{name} must return an array of shape {shape}; got {arr.shape}")
    if not np.isfinite(arr).all():
        raise Fail(f"{name} returned NaN or infinite values")
    return arr


def _student_rng(rng: np.random.Generator) -> np.random.Generator:
    """A Generator for the student's function, its seed drawn from ``rng``."""
    return np.random.default_rng(int(rng.integers(2**63)))


# --------------------------------------------------------------------------
# Part 1: classic_gaussian_release (randomised)
# --------------------------------------------------------------------------

N_GAUSS = 200_000
# (l2_sensitivity, epsilon, delta) of the four calls whose values are drawn
# per submission; sensitivity != 1 and epsilon far from 1/sigma so that each
# common mistake gives a clearly different sigma. The first case has a large
# delta, where ln(1/delta) instead of ln(1.25/delta) changes the variance by
# 4.8%, 15 standard errors of the variance test. The last has a delta at
# which 1.25 / delta = 3.125 is not a whole number: rounding it down (to 3)
# changes the variance by 3.6%, 11 standard errors (a pass has probability
# below 1e-8).
GAUSS_CASES = [
    (1.0, 0.25, 1e-2),
    (2.0, 0.5, 1e-5),
    (3.0, 0.8, 1e-6),
    (1.5, 0.6, 0.4),
]
# Five calls (those four and the public check's), four statistics each
# (variance, mean, KS, signs of neighbours): 20 checks at 1e-6 / 20 each, so
# the false-failure rate of the whole cell is at most 1e-6 (Bonferroni).
GAUSS_ALPHA = 1e-6 / 20
GAUSS_FUNCTION = "classic_gaussian_release"


def gauss_values(rng: np.random.Generator) -> np.ndarray:
    """``N_GAUSS`` values to release, drawn from ``rng``: -50 to 500, one decimal."""
    return np.round(rng.uniform(-50, 500, size=N_GAUSS), 1)


def gauss_calls(rng: np.random.Generator) -> list[Call]:
    calls = [
        Call(
            GAUSS_FUNCTION,
            (gauss_values(rng), sens, eps, delta),
            {"rng": _student_rng(rng)},
        )
        for sens, eps, delta in GAUSS_CASES
    ]
    # The public check's case, with its seed.
    public = (np.full(100_000, 212.0), 1.0, 0.5, 1e-5, np.random.default_rng(1))
    return [*calls, Call(GAUSS_FUNCTION, public)]


def _gauss_hint(sigma_hat: float, sens: float, eps: float, delta: float) -> str:
    c = math.sqrt(2 * math.log(1.25 / delta))
    wrong = {
        "the noise scale must be sqrt(2 ln(1.25/delta)) * sensitivity / epsilon: "
        "you seem to multiply by epsilon instead of dividing": c * sens * eps,
        "the noise scale must be divided by epsilon, not epsilon by it": c * eps / sens,
        "the noise scale must be sqrt(2 ln(1.25/delta)) * sensitivity / epsilon: "
        "you seem to use epsilon in place of sensitivity / epsilon": c * eps,
        "the L2 sensitivity is missing from your noise scale": c / eps,
        "rng.normal takes the standard deviation sigma, not the variance": (
            c * sens / eps
        )
        ** 2,
        "use ln(1.25 / delta) inside the square root, not ln(1 / delta)": math.sqrt(
            2 * math.log(1 / delta)
        )
        * sens
        / eps,
        "the classic calibration is sqrt(2 ln(1.25/delta)) * sensitivity / epsilon; "
        "you seem to have left out the factor 2 under the square root": math.sqrt(
            math.log(1.25 / delta)
        )
        * sens
        / eps,
    }
    for hint, sigma in wrong.items():
        if abs(sigma_hat / sigma - 1) < 0.005:
            return hint
    want = c * sens / eps
    return (
        f"the noise has standard deviation about {sigma_hat:.4g}; the classic "
        f"calibration gives {want:.4g} here"
    )


def gauss_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        values, sens, eps, delta = call.args[:4]
        values = np.asarray(values, dtype=float)
        n = values.size
        out = _float_array(value, "classic_gaussian_release", values.shape)
        noise = out - values
        sigma = classic_gaussian_sigma(sens, eps, delta)
        if np.unique(noise).size < n // 2:
            raise Fail(
                "the noise is not independent across entries: draw a fresh "
                "Gaussian value for every entry (e.g. rng.normal(0, sigma, "
                "size=len(values))), never reuse one draw"
            )
        # Variance: sum(z^2) ~ chi-square with n degrees of freedom.
        ss = float(np.sum((noise / sigma) ** 2))
        lo = stats.chi2.ppf(GAUSS_ALPHA / 2, n)
        hi = stats.chi2.isf(GAUSS_ALPHA / 2, n)
        if not lo <= ss <= hi:
            sigma_hat = float(np.sqrt(np.mean(noise**2)))
            raise Fail(_gauss_hint(sigma_hat, sens, eps, delta))
        # Mean: the mean of n N(0, sigma^2) draws is N(0, sigma^2 / n).
        z = abs(float(noise.mean())) / (sigma / math.sqrt(n))
        if z > stats.norm.isf(GAUSS_ALPHA / 2):
            raise Fail("the noise must have mean 0: release values + noise")
        # Shape: one-sample KS test against N(0, sigma^2).
        if stats.kstest(noise, stats.norm(0, sigma).cdf).pvalue < GAUSS_ALPHA:
            raise Fail("the noise must be Gaussian (normal), not another distribution")
        # Independence of neighbouring entries: their signs.
        if not signs_independent(noise, GAUSS_ALPHA):
            raise Fail(
                "the noise of neighbouring entries is correlated: draw it independently"
            )


# --------------------------------------------------------------------------
# Part 2: zcdp_sigma (deterministic)
# --------------------------------------------------------------------------

ZCDP_CASES = [
    (1, 1.0, 1.0, 1e-5),
    (100, 1.0, 1.0, 1e-5),
    (10, 2.0, 0.5, 1e-6),
    (1000, 3.0, 4.0, 1e-8),
    (37, 0.5, 0.1, 1e-3),
]


def zcdp_reference(k, sens, eps, delta) -> float:
    log_term = math.log(1 / delta)
    rho = (math.sqrt(log_term + eps) - math.sqrt(log_term)) ** 2
    return sens / math.sqrt(2 * rho / k)


def zcdp_calls() -> list[Call]:
    return [Call("zcdp_sigma", case) for case in ZCDP_CASES]


def _zcdp_hint(got: float, k, sens, eps, delta) -> str:
    want = zcdp_reference(k, sens, eps, delta)
    log_term = math.log(1 / delta)
    rho = (math.sqrt(log_term + eps) - math.sqrt(log_term)) ** 2
    wrong = {
        "k queries each rho-zCDP are (k rho)-zCDP: give each query rho / k, "
        "so sigma grows like sqrt(k)": sens / math.sqrt(2 * rho),
        "split rho (not sigma) across the k queries: sigma grows like sqrt(k), "
        "not like k": sens * k / math.sqrt(2 * rho),
        "the L2 sensitivity is missing: sigma = sensitivity / sqrt(2 rho_query)": (
            1 / math.sqrt(2 * rho / k)
        ),
        "a Gaussian with standard deviation sigma is Delta^2 / (2 sigma^2)-zCDP: "
        "you seem to have used sigma^2 where sigma belongs": (sens**2 / (2 * rho / k)),
        "solve rho + 2 sqrt(rho ln(1/delta)) = epsilon for rho; you seem to have "
        "used rho = epsilon^2 / 2, the conversion from pure DP": sens
        / math.sqrt(2 * (eps**2 / 2) / k),
        "solve rho + 2 sqrt(rho ln(1/delta)) = epsilon for rho; you seem to have "
        "used rho = epsilon": sens / math.sqrt(2 * eps / k),
    }
    for hint, value in wrong.items():
        if value != want and abs(got / value - 1) < 1e-4:
            return hint
    return f"zcdp_sigma{(k, sens, eps, delta)} should be {want:.6g}; got {got:.6g}"


def zcdp_check(outcomes: list[Outcome]) -> None:
    for value, case in zip(returned_values(outcomes), ZCDP_CASES, strict=True):
        try:
            got = float(value)
        except (TypeError, ValueError):
            raise Fail(
                f"zcdp_sigma must return a number; got {type(value).__name__}"
            ) from None
        want = zcdp_reference(*case)
        if not math.isclose(got, want, rel_tol=RTOL):
            raise Fail(_zcdp_hint(got, *case))


# --------------------------------------------------------------------------
# Part 3: exponential_probabilities (deterministic)
# --------------------------------------------------------------------------

EXP_CASES = [
    ([-5.0, -1.0, 2.5, 0.0], 0.5, 0.3),  # first: tells the wrong exponents apart
    ([0.0, 2.0], 1.0, 1.0),
    ([4140.0, 4099.0, 4066.0, 3770.0, 3650.0, 3295.0], 1.0, 0.05),
    ([10.0, 9.0, 8.0, 1.0, 0.0], 2.0, 0.5),
    ([5000.0, 4990.0, 1000.0], 1.0, 1.0),  # overflows unless stabilised
    ([3.0, 3.0, 3.0], 1.0, 0.7),
    ([5000.0, 4990.0], 1.0, 1.0),  # the public check's
]


@functools.cache
def occupation_counts() -> list[float]:
    """How many people of the adult data have each occupation, most common first.

    The utilities of the public check (``occupation_counts`` in the notebook).
    """
    return load_adult()["occupation"].value_counts().to_numpy(dtype=float).tolist()


def exp_cases() -> list[tuple]:
    return [*EXP_CASES, (occupation_counts(), 1.0, 0.05)]


def exp_calls() -> list[Call]:
    return [Call("exponential_probabilities", case) for case in exp_cases()]


def _softmax(scores: np.ndarray) -> np.ndarray:
    w = np.exp(scores - scores.max())
    return w / w.sum()


def exp_check(outcomes: list[Outcome]) -> None:
    for value, (u, sens, eps) in zip(
        returned_values(outcomes), exp_cases(), strict=True
    ):
        u = np.asarray(u)
        got = np.asarray(value, dtype=float) if value is not None else None
        if got is None or got.shape != u.shape:
            raise Fail("return one probability per candidate, as a 1-D array")
        if not np.isfinite(got).all():
            raise Fail(
                "your probabilities contain NaN or inf: exp overflows for large "
                "utilities; subtract the largest score before exponentiating"
            )
        want = exponential_mechanism_probabilities(u, sens, eps)
        if np.allclose(got, want, rtol=RTOL, atol=1e-12):
            continue
        if not math.isclose(got.sum(), 1.0, rel_tol=1e-6):
            raise Fail("the probabilities must sum to 1: divide by the sum")
        wrong = {
            "the exponent is epsilon * u / (2 * sensitivity): you left out the 2": (
                eps * u / sens
            ),
            "the exponent is epsilon * u / (2 * sensitivity): you left out the "
            "sensitivity": eps * u / 2,
            "the exponent is epsilon * u / (2 * sensitivity): you multiplied by "
            "the sensitivity": eps * u * sens / 2,
            "the exponent is epsilon * u / (2 * sensitivity): epsilon is missing": (
                u / (2 * sens)
            ),
            "higher utility must be more likely: the exponent is "
            "+epsilon * u / (2 * sensitivity)": -eps * u / (2 * sens),
        }
        for hint, scores in wrong.items():
            alt = _softmax(scores)
            if not np.allclose(alt, want, atol=1e-9) and np.allclose(
                got, alt, rtol=1e-4, atol=1e-9
            ):
                raise Fail(hint)
        raise Fail(
            f"wrong probabilities for utilities {u.tolist()}, sensitivity {sens}, "
            f"epsilon {eps}"
        )


# --------------------------------------------------------------------------
# Part 4: noisy_max_runs (randomised)
# --------------------------------------------------------------------------

N_RUNS = 200_000
NOISY_MAX_FUNCTION = "noisy_max_runs"
# (values, sensitivity, epsilon) of the calls whose Generators' seeds are
# drawn per submission. The first case tells apart the common wrong scales
# (all distinct from the right one, 2 * 3 / 1.5 = 4).
NOISY_MAX_CASES = [
    ([10.0, 8.0, 7.0, 3.0], 3.0, 1.5),
    ([10.0, 9.0, 8.0, 5.0, 5.0], 2.0, 0.5),
    ([0.0, 1.0, 30.0, 29.0], 1.0, 0.4),
]
# The public checks' cases: (values, sensitivity, epsilon, n_runs, seed).
NOISY_MAX_PUBLIC = [
    ([10.0, 500.0, 20.0], 1.0, 1.0, 1000, 2),
    ([0.0, 0.0], 1.0, 1.0, 100_000, 3),
    ([2.0, 0.0], 1.0, 1.0, 100_000, 4),
]
# Bound on the relative error of win_probabilities (measured: below 4e-7,
# against a grid ten times finer and twice as wide).
WIN_RTOL = 1e-5


@functools.cache
def _win_probabilities(values: tuple[float, ...], scale: float) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    x = np.linspace(v.min() - 40 * scale, v.max() + 40 * scale, 200_001)
    d = x[None, :] - v[:, None]
    pdf = stats.laplace.pdf(d, scale=scale)
    log_cdf = stats.laplace.logcdf(d, scale=scale)
    others = np.exp(log_cdf.sum(axis=0)[None, :] - log_cdf)
    p = np.trapezoid(pdf * others, x, axis=1)
    return p / p.sum()


def win_probabilities(values, scale: float) -> np.ndarray:
    """P(argmax of values + Lap(scale) = i), by integration on a fine grid.

    P(i) = integral of f(x - v_i) prod_{j != i} F(x - v_j) dx; the grid step
    is scale / 400 over +-40 scales, so the relative error is below
    ``WIN_RTOL``. Cached: the values are hand-written.
    """
    return _win_probabilities(tuple(float(v) for v in values), float(scale))


def noisy_max_calls(rng: np.random.Generator) -> list[Call]:
    calls = [
        Call(
            NOISY_MAX_FUNCTION,
            (values, sens, eps, N_RUNS),
            {"rng": _student_rng(rng)},
        )
        for values, sens, eps in NOISY_MAX_CASES
    ]
    public = [
        Call(
            NOISY_MAX_FUNCTION,
            (values, sens, eps, n_runs, np.random.default_rng(seed)),
        )
        for values, sens, eps, n_runs, seed in NOISY_MAX_PUBLIC
    ]
    return [*calls, *public]


# Six calls, each a set of per-candidate exact two-sided binomial tests (4, 5,
# 4, 3, 2 and 2 candidates: 20 tests): each at 1e-6 / 20, so the
# false-failure rate of the whole cell is at most 1e-6 (Bonferroni). Power:
# every wrong scale below moves some probability of the first three calls by
# more than 0.02, over 10 standard errors.
NOISY_MAX_ALPHA = 1e-6 / 20


def _counts_fit(counts: np.ndarray, p: np.ndarray) -> bool:
    """Whether each candidate's count of wins fits its win probability ``p``."""
    n = int(counts.sum())
    return all(
        binomial_ok(
            int(k),
            n,
            pi * (1 - WIN_RTOL),
            NOISY_MAX_ALPHA,
            p_high=min(pi * (1 + WIN_RTOL), 1.0),
        )
        for k, pi in zip(counts, p, strict=True)
    )


def noisy_max_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        values, sens, eps, n_runs = call.args[:4]
        k = len(values)
        got = _float_array(value, "noisy_max_runs", (n_runs,))
        if not np.array_equal(got, np.round(got)) or got.min() < 0 or got.max() >= k:
            raise Fail(
                "return the index (0 to len(values) - 1) of the noisy maximum of "
                "each run, not the noisy value"
            )
        counts = np.bincount(got.astype(int), minlength=k)
        want = win_probabilities(values, 2 * sens / eps)
        if _counts_fit(counts, want):
            continue
        if np.unique(got).size == 1:
            raise Fail(
                "every run returned the same index: each run needs fresh, "
                "independent noise for every candidate (do not reuse one draw "
                "across runs or add the same draw to every candidate)"
            )
        wrong = {
            "the Laplace scale must be 2 * sensitivity / epsilon; you seem to use "
            "epsilon as the scale": eps,
            "the Laplace scale must be 2 * sensitivity / epsilon; you seem to have "
            "forgotten the sensitivity (2 / epsilon)": 2 / eps,
            "the Laplace scale must be 2 * sensitivity / epsilon; you seem to have "
            "forgotten the sensitivity (1 / epsilon)": 1 / eps,
            "the Laplace scale must be 2 * sensitivity / epsilon: you left out the 2": (
                sens / eps
            ),
            "the Laplace scale must be 2 * sensitivity / epsilon; you seem to "
            "divide epsilon by the sensitivity": 2 * eps / sens,
        }
        for hint, scale in wrong.items():
            if scale != 2 * sens / eps and _counts_fit(
                counts, win_probabilities(values, scale)
            ):
                raise Fail(hint)
        if np.argmax(counts) != int(np.argmax(values)):
            raise Fail("report the index of the LARGEST noisy value (argmax)")
        # No probabilities in the hint: the values are fixed, so they would be
        # an answer to copy.
        raise Fail(
            "the frequencies of the reported indices do not match report-noisy-max "
            "with Laplace noise of scale 2 * sensitivity / epsilon"
        )


# --------------------------------------------------------------------------
# Part 5: consistent_children (deterministic)
# --------------------------------------------------------------------------

CONSISTENT_CASES = [
    (10.0, [4.0, 3.0, 2.0]),
    (10.0, [12.0, -3.0, 2.5, 0.5]),
    (5.0, [-2.0, -1.0, 9.0, 4.0]),
    (0.0, [1.0, -1.0, 3.0]),
    (100.0, [30.0, 30.0, 30.0, -40.0, 2.0]),
    (3.0, [10.0]),
    (7.5, [-20.0, -20.0, -20.0]),
    # The public checks' other cases.
    (9.0, [4.0, 3.0, 2.0]),
    (3.0, [5.0, -1.0]),
]


def consistent_reference(parent: float, noisy) -> np.ndarray:
    """Euclidean projection onto {x >= 0, sum x = parent} (sort-based)."""
    y = np.asarray(noisy, dtype=float)
    if parent == 0:
        return np.zeros_like(y)
    u = np.sort(y)[::-1]
    css = np.cumsum(u) - parent
    idx = np.arange(1, len(y) + 1)
    rho = np.nonzero(u - css / idx > 0)[0][-1]
    theta = css[rho] / (rho + 1)
    return np.maximum(y - theta, 0)


def consistent_drawn_case(rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """A long noisy vector (an ndarray, where changes in place show) and its parent.

    2000 Laplace(3, 4) counts rounded to 0.001, redrawn (from ``rng``) until
    one is negative, so that the projection always changes the vector; the
    parent (1500 to 3500) is far below their sum, so that many children end
    at 0.
    """
    noisy = np.round(rng.laplace(3.0, 4.0, size=2000), 3)
    while not (noisy < 0).any():
        noisy = np.round(rng.laplace(3.0, 4.0, size=2000), 3)
    return float(rng.integers(1500, 3501)), noisy


def consistent_calls(rng: np.random.Generator) -> list[Call]:
    calls = [
        Call("consistent_children", (parent, list(noisy)), observe_args=True)
        for parent, noisy in CONSISTENT_CASES
    ]
    drawn = Call("consistent_children", consistent_drawn_case(rng), observe_args=True)
    return [*calls, drawn]


def consistent_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    values = returned_values(outcomes)
    for outcome, value, call in zip(outcomes, values, calls, strict=True):
        parent, noisy = call.args
        noisy = np.asarray(noisy, dtype=float)
        got = _float_array(value, "consistent_children", noisy.shape)
        if outcome.args is not None and not np.array_equal(
            np.asarray(outcome.args[1], dtype=float), noisy
        ):
            raise Fail("consistent_children must not modify its input")
        want = consistent_reference(parent, noisy)
        if np.allclose(got, want, rtol=RTOL, atol=1e-7):
            continue
        if (got < -1e-9).any():
            raise Fail("the children must all be non-negative")
        if not math.isclose(got.sum(), parent, rel_tol=1e-9, abs_tol=1e-7):
            raise Fail("the children must sum exactly to the parent")
        clipped = np.maximum(noisy, 0)
        if clipped.sum() > 0 and np.allclose(
            got, clipped * parent / clipped.sum(), rtol=1e-6, atol=1e-7
        ):
            raise Fail(
                "clipping at zero and rescaling to the parent's total is consistent "
                "but not the least-squares (closest) solution: subtract the same "
                "amount from every child and clip, choosing the amount so that the "
                "sum is right"
            )
        raise Fail(
            f"consistent_children({parent}, {noisy[:6].tolist()}...) is not the "
            "closest non-negative vector summing to the parent"
        )


# --------------------------------------------------------------------------
# Part 7: tracing_threshold (deterministic, open)
# --------------------------------------------------------------------------

# Any threshold whose expected cost is within this factor of the smallest
# one passes (the notebook states it), whatever method found it.
TRACE_RTOL = 1e-3


def trace_cost(t, exposures, eps, sens, c_inf, c_q, visitors) -> np.ndarray:
    """Expected cost of warning when the noisy count is at least ``t``.

    ``t`` may be an array. A place with count x is warned with probability
    P(x + Lap(sens / eps) >= t); its avertable infections are x (each
    infectious visitor infects 2, a warning averts half), and warning a place
    with x = 0 quarantines its ``visitors`` needlessly.
    """
    count, places = np.unique(np.asarray(exposures, dtype=float), return_counts=True)
    gap = np.atleast_1d(np.asarray(t, dtype=float))[:, None] - count[None, :]
    tail = 0.5 * np.exp(-np.abs(gap) / (sens / eps))
    p_warn = np.where(gap > 0, tail, 1 - tail)
    missed = ((1 - p_warn) * count * places).sum(axis=1)
    needless = (p_warn * (count == 0) * places).sum(axis=1) * visitors
    return c_inf * missed + c_q * needless


def trace_best(exposures, eps, sens, c_inf, c_q, visitors) -> tuple[float, float]:
    """The threshold of smallest expected cost, and that cost.

    A grid of 20,001 thresholds from 40 noise scales below the smallest count
    to 40 above the largest (beyond, the cost is within e^-40 of its limit),
    then a bounded minimisation around each of the five best grid points.
    """
    args = (exposures, eps, sens, c_inf, c_q, visitors)
    scale = sens / eps
    x = np.asarray(exposures, dtype=float)
    grid = np.linspace(x.min() - 40 * scale, x.max() + 40 * scale, 20_001)
    costs = trace_cost(grid, *args)
    step = grid[1] - grid[0]
    best_t, best = float(grid[np.argmin(costs)]), float(costs.min())
    for i in np.argsort(costs)[:5]:
        res = optimize.minimize_scalar(
            lambda t: float(trace_cost(t, *args)[0]),
            bounds=(grid[i] - step, grid[i] + step),
            method="bounded",
            options={"xatol": 1e-10 * max(1.0, abs(grid[i]))},
        )
        if res.fun < best:
            best_t, best = float(res.x), float(res.fun)
    return best_t, best


def _outbreak(rng: np.random.Generator, low: int, high: int) -> np.ndarray:
    """Exposure counts of a drawn number of places, as in the chapter."""
    size = int(rng.integers(low, high + 1))
    return rng.poisson(rng.gamma(0.3, 1.0, size=size))


# (epsilon, sensitivity, cost_infection, cost_quarantine, visitors) of the
# cases whose exposures are drawn per submission: optima inside the range of
# the counts with little noise and with much, between 0 and 1 with almost
# none, "warn everybody" (noise so large that warning is best) and "warn
# nobody" (quarantine so costly).
TRACE_DRAWN = [
    (1.0, 1, 1.0, 0.002, 50),
    (1.0, 5, 1.0, 0.01, 50),
    (3.0, 5, 2.0, 0.02, 30),
    (10.0, 1, 1.0, 0.0005, 50),
    (0.2, 5, 1.0, 0.002, 50),
    (1.0, 5, 1.0, 0.05, 50),
]


def trace_cases(rng: np.random.Generator) -> list[tuple]:
    cases = [(_outbreak(rng, 1000, 3000), *params) for params in TRACE_DRAWN]
    cases[1] = (cases[1][0].tolist(), *cases[1][1:])  # a list works too
    # A larger outbreak: most places exposed, several infectious visitors.
    cases.append((rng.poisson(3.0, size=500), 0.5, 2, 1.0, 0.01, 40))
    # Superspreading: one place with 3,000 infectious visitors stretches the
    # range of thresholds, and a search coarser than the noise scale misses
    # the best one by more than 0.1%.
    cases.append((np.r_[_outbreak(rng, 1000, 3000), 3000], 2.0, 1, 1.0, 0.005, 50))
    # Heavy noise, nearly every place exposed and cheap quarantines: warn
    # everybody; the cost nears its limit like e^(t / scale), so the threshold
    # must be more than about 20 noise scales below 0.
    cases.append(
        (rng.poisson(4.0, size=int(rng.integers(1000, 2001))), 0.05, 2, 1.0, 1e-5, 50)
    )
    # No infectious visitor anywhere: warn nobody.
    cases.append(
        (np.zeros(int(rng.integers(500, 1501)), dtype=int), 1.0, 5, 1.0, 0.01, 50)
    )
    chapter = np.random.default_rng(84)
    chapter = chapter.poisson(chapter.gamma(0.3, 1.0, size=2000))
    return [
        *cases,
        (np.array([0, 0, 0, 1, 4]), 2.0, 1, 1.0, 0.1, 10),
        # The public checks' cases: the chapter's places.
        (chapter, 1.0, 5, 1.0, 0.01, 50),
        (chapter, 1e6, 5, 1.0, 0.01, 50),
    ]


def trace_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("tracing_threshold", case) for case in trace_cases(rng)]


def trace_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        exposures, eps, sens, c_inf, c_q, visitors = call.args
        try:
            got = float(value)
        except (TypeError, ValueError) as error:
            raise Fail("tracing_threshold must return one number") from error
        if not math.isfinite(got):
            raise Fail(f"the threshold must be a finite number; got {got}")
        best_t, best = trace_best(*call.args)
        mine = float(trace_cost(got, *call.args)[0])
        x = np.asarray(exposures, dtype=float)
        floor = 1e-9 * (c_inf * x.sum() + c_q * visitors * (x == 0).sum())
        if mine <= (1 + TRACE_RTOL) * best + floor:
            continue
        if math.isclose(got, 0.5):
            raise Fail(
                "the chapter's threshold of 1/2 is not the best for every budget "
                "and cost: find the threshold of smallest expected cost"
            )
        raise Fail(
            f"with epsilon = {eps:g}, sensitivity {sens:g}, costs {c_inf:g} per "
            f"infection and {c_q:g} per needless quarantine and {visitors} visitors, "
            f"your threshold {got:.6g} has an expected cost of {mine:.6g}; the "
            f"smallest is {best:.6g} (yours must be within {TRACE_RTOL:.1%}; is the "
            f"best threshold {'lower' if best_t < got else 'higher'}?)"
        )


TESTS = {
    "test_classic_gaussian_release": Test(gauss_calls, gauss_check),
    "test_zcdp_sigma": Test(zcdp_calls, zcdp_check),
    "test_exponential_probabilities": Test(exp_calls, exp_check),
    "test_noisy_max_runs": Test(noisy_max_calls, noisy_max_check),
    "test_consistent_children": Test(consistent_calls, consistent_check),
    "test_tracing_threshold": Test(trace_calls, trace_check),
}

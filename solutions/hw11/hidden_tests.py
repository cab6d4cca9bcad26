"""Hidden tests of homework 11 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw11.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Each part's calls use only that part's function.

Parts 1 and 2 are deterministic and compared exactly with the definitions
(boundary cases use p-values and levels that are exact in binary, so that
``p <= alpha / m`` and ``m * p <= alpha`` agree): false-failure rate zero.

Parts 3 and 4 are randomised: each Call passes its own
``np.random.default_rng(seed)`` and asks for many draws at once, and the checks
test distributions, never particular draws, so any correct answer passes
whatever order it draws in. Each of those test cells splits a total
false-failure rate of 1e-6 between its statistical tests (Bonferroni):

- part 3 makes 4 Kolmogorov-Smirnov tests (one-sample against the exact null
  distribution of the smallest of k independent uniform p-values, or
  two-sample against a reference simulation of 60,000 studies when the
  outcomes are correlated), each at level 2.5e-7;
- part 4 makes 6 tests, each at level 1e-6 / 7: the noise of answers far above
  the threshold (Kolmogorov-Smirnov against Laplace(sigma), and a z-test of the
  mean absolute noise), and the rate of holdout answers at 4 distances from
  the threshold (binomial z-tests against the exact probability
  P(gamma + eta < distance) for gamma ~ Lap(2 sigma), eta ~ Lap(4 sigma)).
  The queries that must be answered from the training set (or from the
  holdout) with certainty are at least 120 noise scales away from the
  threshold; the chance that one of them is not is below 1e-9 in total.

See ``course_lib.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import stats

from course_lib.grading.spec import Call, Fail, Outcome, Test, returned_values

ALPHA = 1e-6  # total false-failure rate of each randomised test cell


def _bool_array(value, name: str, m: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype != bool:
        if (
            arr.dtype.kind == "f"
            and arr.shape == (m,)
            and not np.isin(arr, (0, 1)).all()
        ):
            raise Fail(
                f"{name} must return which hypotheses are REJECTED (booleans), "
                "not adjusted p-values"
            )
        raise Fail(f"{name} must return a boolean numpy array; got dtype {arr.dtype}")
    if arr.shape != (m,):
        raise Fail(
            f"{name} must return one boolean per p-value, shape ({m},); got {arr.shape}"
        )
    return arr


@functools.cache
def pvalue_inputs() -> list[tuple]:
    """(pvalues, alpha) cases shared by parts 1 and 2."""
    rng = np.random.default_rng(1101)
    signal = rng.beta(0.1, 8.0, size=60)
    mixture = rng.permutation(np.r_[rng.uniform(size=440), signal])
    strong = rng.permutation(np.r_[rng.uniform(size=150), rng.beta(0.05, 20, 150)])
    rounded = np.round(rng.permutation(np.r_[rng.uniform(size=80), signal[:40]]), 2)
    return [
        (np.array([0.027, 0.6, 0.0008, 0.041, 0.016, 0.27, 0.030, 0.009]), 0.05),
        ([0.0625, 0.5, 0.01, 0.07], 0.25),
        ([0.04, 0.001, 0.039, 0.02], 0.05),
        ([0.5, 0.2, 0.9], 0.05),
        (np.array([0.035, 0.3, 0.012, 0.04, 0.001, 0.014]), 0.05),
        ([0.03, 0.5, 0.03, 0.03], 0.05),
        ([0.125, 0.5, 0.0625, 0.9], 0.25),
        ([0.125, 0.9, 0.125, 0.03125, 0.6, 0.125, 0.2, 0.125], 0.25),
        ([0.0, 1.0, 0.0125, 0.0125], 0.05),
        ([0.05], 0.05),
        ([0.3], 0.05),
        ([0.001] * 5, 0.05),
        (np.ones(6), 0.05),
        (mixture, 0.05),
        (mixture.tolist(), 0.2),
        (strong, 0.01),
        (rounded, 0.1),
        (rng.uniform(0.2, 1.0, size=50), 0.1),
    ]


# --------------------------------------------------------------------------
# Part 1: bonferroni_reject
# --------------------------------------------------------------------------


def bonf_reference(pvalues, alpha, mistake: str | None = None) -> np.ndarray:
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if mistake == "strict":
        return p < alpha / m
    if mistake == "uncorrected":
        return p <= alpha
    if mistake == "sorted":
        return np.sort(p) <= alpha / m
    if mistake == "times":
        return p <= alpha * m
    if mistake == "m-1":
        return p <= alpha / max(m - 1, 1)
    return p <= alpha / m


BONF_HINTS = {
    "strict": "reject when p <= alpha / m: a p-value equal to alpha / m is rejected",
    "uncorrected": "compare each p-value with alpha / m, not with alpha itself",
    "sorted": "return the decisions in the order of the input p-values, not sorted",
    "times": "the Bonferroni level is alpha divided by m, not multiplied by m",
    "m-1": "m is the number of p-values, len(pvalues)",
}


def bonf_calls() -> list[Call]:
    return [Call("bonferroni_reject", args) for args in pvalue_inputs()]


def bonf_check(outcomes: list[Outcome]) -> None:
    for value, (pvalues, alpha) in zip(
        returned_values(outcomes), pvalue_inputs(), strict=True
    ):
        want = bonf_reference(pvalues, alpha)
        got = _bool_array(value, "bonferroni_reject", want.size)
        if np.array_equal(got, want):
            continue
        for mistake, hint in BONF_HINTS.items():
            if np.array_equal(got, bonf_reference(pvalues, alpha, mistake)):
                raise Fail(hint)
        raise Fail(
            f"wrong rejections for {np.asarray(pvalues).size} p-values at alpha = {alpha}"
        )


# --------------------------------------------------------------------------
# Part 2: bh_reject
# --------------------------------------------------------------------------


def bh_reference(pvalues, alpha, mistake: str | None = None) -> np.ndarray:
    """Rejections by the definition (or by a recognised mistake), input order."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    ordered = p[order]
    ranks = np.arange(1, m + 1)
    if mistake == "zero-based":
        ranks = ranks - 1
    passes = ordered <= alpha * ranks / m
    if mistake == "strict":
        passes = ordered < alpha * ranks / m
    if mistake == "individual":
        reject_sorted = passes
    else:
        if mistake == "step-down":
            k = m if passes.all() else int(np.argmin(passes))
        elif mistake == "count":
            k = int(passes.sum())
        else:
            k = int(np.flatnonzero(passes)[-1]) + 1 if passes.any() else 0
        reject_sorted = ranks <= k if mistake != "zero-based" else ranks < k
    if mistake == "sorted":
        return reject_sorted
    reject = np.empty(m, dtype=bool)
    reject[order] = reject_sorted
    return reject


BH_HINTS = {
    "individual": (
        "BH is step-up: find the LARGEST k with p_(k) <= alpha k / m and reject all "
        "k smallest p-values, even those above their own threshold"
    ),
    "step-down": (
        "do not stop at the first p-value that fails its threshold: k is the "
        "LARGEST rank that passes (step-up)"
    ),
    "count": (
        "k is the largest rank whose p-value passes, not the number of p-values "
        "that pass"
    ),
    "zero-based": "ranks start at 1: the threshold of the smallest p-value is alpha / m",
    "strict": "the test is p_(k) <= alpha k / m: equality passes",
    "sorted": "return the decisions in the order of the input p-values, not sorted",
}


def bh_calls() -> list[Call]:
    return [Call("bh_reject", args) for args in pvalue_inputs()]


def bh_check(outcomes: list[Outcome]) -> None:
    for value, (pvalues, alpha) in zip(
        returned_values(outcomes), pvalue_inputs(), strict=True
    ):
        want = bh_reference(pvalues, alpha)
        got = _bool_array(value, "bh_reject", want.size)
        if np.array_equal(got, want):
            continue
        if not want.any():
            raise Fail(
                "when no p-value passes its threshold there is no k: reject nothing"
            )
        for mistake, hint in BH_HINTS.items():
            if np.array_equal(got, bh_reference(pvalues, alpha, mistake)):
                raise Fail(hint)
        if np.array_equal(got, bonf_reference(pvalues, alpha)):
            raise Fail("that is Bonferroni: compare p_(k) with alpha k / m")
        p = np.asarray(pvalues, dtype=float)
        if np.unique(p).size < p.size:
            raise Fail(
                "tied p-values: sort, find the largest k with p_(k) <= alpha k / m, "
                "and reject every p-value <= p_(k)"
            )
        raise Fail(f"wrong rejections for {p.size} p-values at alpha = {alpha}")


# --------------------------------------------------------------------------
# Part 3: smallest_pvalue (statistical)
# --------------------------------------------------------------------------

# (n_studies, n_per_group, n_outcomes, rho, rng seed)
SMALLEST_CASES = [
    (20_000, 5, 1, 0.0, 1131),
    (20_000, 10, 5, 0.0, 1132),
    (20_000, 20, 3, 0.5, 1133),
    (20_000, 10, 5, 0.8, 1134),
]
SMALLEST_ALPHA = ALPHA / 4
N_REFERENCE = 60_000


def simulate_smallest(n_studies, n_per_group, n_outcomes, rho, rng) -> np.ndarray:
    """Reference simulation, written out with the t statistic by hand."""
    n = n_per_group
    f = rng.standard_normal((n_studies, 1, 2 * n))
    e = rng.standard_normal((n_studies, n_outcomes, 2 * n))
    y = math.sqrt(rho) * f + math.sqrt(1 - rho) * e
    a, b = y[..., :n], y[..., n:]
    pooled = (a.var(axis=-1, ddof=1) + b.var(axis=-1, ddof=1)) / 2
    t = (a.mean(axis=-1) - b.mean(axis=-1)) / np.sqrt(pooled * 2 / n)
    return (2 * stats.t.sf(np.abs(t), 2 * n - 2)).min(axis=1)


@functools.cache
def smallest_reference(n_per_group: int, n_outcomes: int, rho: float) -> np.ndarray:
    seed = 11300 + 100 * n_outcomes + n_per_group + int(10 * rho)
    return simulate_smallest(
        N_REFERENCE, n_per_group, n_outcomes, rho, np.random.default_rng(seed)
    )


def smallest_calls() -> list[Call]:
    return [
        Call("smallest_pvalue", (n_s, n_g, k, rho, np.random.default_rng(seed)))
        for n_s, n_g, k, rho, seed in SMALLEST_CASES
    ]


def _min_uniform_cdf(k: int):
    return lambda x: 1 - (1 - np.clip(x, 0, 1)) ** k


def _max_uniform_cdf(x, k: int):
    return np.clip(x, 0, 1) ** k


def _fits(sample: np.ndarray, k: int, reference: np.ndarray | None) -> bool:
    if reference is None:
        pvalue = stats.kstest(sample, _min_uniform_cdf(k)).pvalue
    else:
        pvalue = stats.ks_2samp(sample, reference).pvalue
    return pvalue >= SMALLEST_ALPHA


def smallest_check(outcomes: list[Outcome]) -> None:
    for value, (n_s, n_g, k, rho, _) in zip(
        returned_values(outcomes), SMALLEST_CASES, strict=True
    ):
        try:
            got = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as error:
            raise Fail("smallest_pvalue must return an array of p-values") from error
        if got.shape != (n_s,):
            raise Fail(
                f"return one smallest p-value per study, shape ({n_s},); got {got.shape}"
            )
        if not np.all(np.isfinite(got)) or np.any((got < 0) | (got > 1)):
            raise Fail("p-values must be numbers between 0 and 1 (no NaN)")
        if np.unique(got).size < n_s // 2:
            raise Fail(
                "every study needs its own independent data: many studies returned "
                "the same p-value"
            )
        reference = None if rho == 0 else smallest_reference(n_g, k, rho)
        if _fits(got, k, reference):
            continue
        # Diagnose (only once the answer has failed).
        if k == 1:
            raise Fail(
                "with one outcome and no effect your p-values are not uniform: use "
                "Student's two-sided two-sample t-test (scipy.stats.ttest_ind with "
                "its defaults), not a z-test or a one-sided test"
            )
        if stats.kstest(got, "uniform").pvalue >= SMALLEST_ALPHA:
            raise Fail(
                "your values look like ONE honest p-value per study: report the "
                "smallest p-value over the outcomes, each outcome with its own "
                "draws E_ij (not the first outcome, not one sample reused)"
            )
        largest_cdf = functools.partial(_max_uniform_cdf, k=k)
        if stats.kstest(got, largest_cdf).pvalue >= SMALLEST_ALPHA:
            raise Fail("report the SMALLEST p-value over the outcomes, not the largest")
        if rho > 0 and _fits(got, k, None):
            raise Fail(
                "the outcomes must be correlated: Y_ij = sqrt(rho) F_i + "
                "sqrt(1 - rho) E_ij with one F_i per person shared by the outcomes"
            )
        raise Fail(
            f"with n_outcomes = {k} and rho = {rho}, the distribution of your smallest "
            "p-values is not that of the simulation described (check the outcome "
            "model and the test)"
        )


# --------------------------------------------------------------------------
# Part 4: thresholdout_answers (statistical)
# --------------------------------------------------------------------------

THRESH_TESTS = 6
THRESH_ALPHA = ALPHA / (THRESH_TESTS + 1)  # 1/7 left for the near-certain cases
THRESH_Z = float(stats.norm.isf(THRESH_ALPHA / 2))
# Distances from the threshold of the "near" queries, in units of sigma.
NEAR_OFFSETS = (-8.0, -3.0, 3.0, 8.0)
NEAR_PER_OFFSET = 10_000


def p_above(delta: float, sigma: float) -> float:
    """P(gamma + eta < delta) for gamma ~ Lap(2 sigma), eta ~ Lap(4 sigma)."""
    b1, b2 = 4 * sigma, 2 * sigma
    x = abs(delta)
    tail = (b1**2 * math.exp(-x / b1) - b2**2 * math.exp(-x / b2)) / (
        2 * (b1**2 - b2**2)
    )
    return 1 - tail if delta >= 0 else tail


@functools.cache
def thresh_inputs() -> dict[str, tuple]:
    """Named cases: (train, holdout, threshold, sigma, budget, rng seed, extra)."""
    rng = np.random.default_rng(1140)
    cases = {}
    # Far below: |h - t| <= T - 120 sigma, so every answer is the training value.
    t = rng.uniform(0.2, 0.8, 3000)
    cases["below"] = (
        t,
        t + rng.uniform(-0.08, 0.08, t.size),
        0.2,
        0.001,
        1,
        1141,
        None,
    )
    # Far above: |h - t| >= T + 120 sigma, so every answer is h + Lap(sigma).
    t = rng.uniform(0.3, 0.7, 5000)
    gap = rng.uniform(0.3, 0.6, t.size) * rng.choice([-1, 1], t.size)
    cases["above"] = (t, t + gap, 0.04, 0.002, t.size, 1142, None)
    # Budget: a mix of far-below and far-above queries with budget 40.
    t = rng.uniform(0.3, 0.7, 200)
    far = rng.random(t.size) < 0.5
    gap = np.where(far, rng.uniform(0.3, 0.5, t.size), rng.uniform(0.0, 0.01, t.size))
    cases["budget"] = (t, t - gap, 0.05, 0.0002, 40, 1143, far)
    # Near the threshold: each test query follows a far-above query (which draws
    # a new gamma), so every test query sees fresh gamma and eta.
    sigma, threshold = 0.001, 0.02
    level = rng.permutation(np.repeat(np.arange(len(NEAR_OFFSETS)), NEAR_PER_OFFSET))
    q = 2 * level.size
    t = rng.uniform(0.3, 0.7, q)
    gap = np.empty(q)
    gap[0::2] = threshold + 200 * sigma
    gap[1::2] = threshold + np.asarray(NEAR_OFFSETS)[level] * sigma
    h = t + gap * rng.choice([-1, 1], q)
    cases["near"] = (t, h, threshold, sigma, q, 1144, level)
    # Small cases with lists.
    cases["lists"] = ([0.7, 0.6, 0.8], [0.69, 0.1, 0.79], 0.04, 0.0002, 5, 1145, None)
    cases["spent"] = ([0.9, 0.9, 0.9], [0.1, 0.5, 0.9], 0.04, 0.001, 1, 1146, None)
    return cases


def thresh_calls() -> list[Call]:
    calls = []
    for t, h, threshold, sigma, budget, seed, _ in thresh_inputs().values():
        args = (t, h, threshold, sigma, budget, np.random.default_rng(seed))
        calls.append(Call("thresholdout_answers", args))
    return calls


def _laplace_ok(noise: np.ndarray, scale: float) -> bool:
    if stats.kstest(noise, "laplace", args=(0.0, scale)).pvalue < THRESH_ALPHA:
        return False
    z = (np.abs(noise).mean() - scale) / (scale / math.sqrt(noise.size))
    return abs(z) <= THRESH_Z


def _answers(value, size: int) -> np.ndarray:
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise Fail("thresholdout_answers must return an array of numbers") from error
    if got.shape != (size,):
        raise Fail(f"return one answer per query, shape ({size},); got {got.shape}")
    return got


def _check_below(got, t, h) -> None:
    if np.isnan(got).any():
        raise Fail(
            "no query above the threshold spends the budget: with budget 1 and "
            "training and holdout values that agree, every query gets an answer"
        )
    if np.array_equal(got, t):
        return
    if np.allclose(got, h, atol=0.01) and not np.allclose(got, t, atol=0.01):
        raise Fail(
            "when |h - t| is far below the threshold, answer the TRAINING value "
            "t exactly (the holdout is not consulted)"
        )
    if np.allclose(got, t, atol=0.05):
        raise Fail(
            "when |h - t| is far below the threshold, the answer is exactly the "
            "training value t, with no noise added"
        )
    raise Fail("when |h - t| is far below the threshold, answer the training value t")


def _check_above(got, t, h, sigma) -> None:
    if np.isnan(got).any():
        raise Fail(
            "with a budget as large as the number of queries every query gets an "
            "answer (NaN only once the budget is spent)"
        )
    if np.any(got == t):
        raise Fail(
            "when |h - t| is far ABOVE the threshold (whatever the sign of h - t), "
            "answer the holdout value plus Laplace noise"
        )
    noise = got - h
    if np.all(noise == 0):
        raise Fail("add Laplace noise xi ~ Lap(sigma) to the holdout value")
    if np.unique(noise).size < noise.size // 2:
        raise Fail("draw a new noise xi for every answer, not one draw reused")
    if _laplace_ok(noise, sigma):
        return
    for factor in (2, 4, 0.5, 0.25):
        if _laplace_ok(noise, factor * sigma):
            raise Fail(
                f"the noise added to the holdout value has scale {factor:g} sigma; "
                "it must be xi ~ Lap(sigma)"
            )
    if stats.kstest(noise / sigma, "norm").pvalue >= THRESH_ALPHA:
        raise Fail("the noise must be Laplace (rng.laplace), not Gaussian")
    raise Fail("the noise added to the holdout value is not Lap(sigma)")


def _check_budget(got, t, h, far, budget) -> None:
    n_far = np.cumsum(far)
    last = int(np.flatnonzero(n_far == budget)[0])  # the answer that spends it all
    live = np.arange(t.size) <= last
    if not np.isnan(got[~live]).all():
        if np.array_equal(got[~live & ~far], t[~live & ~far]):
            raise Fail(
                "once the budget is spent EVERY later answer is NaN, including "
                "queries below the threshold"
            )
        raise Fail(
            f"with budget {budget}, every answer after the {budget}-th holdout answer "
            "must be NaN"
        )
    if np.isnan(got[live]).any():
        raise Fail(
            f"with budget {budget}, the first {budget} queries above the threshold "
            "get an answer: spend one unit per holdout answer, none for the others"
        )
    if not np.array_equal(got[live & ~far], t[live & ~far]):
        raise Fail("queries far below the threshold get the training value t")
    if np.any(np.abs(got[live & far] - h[live & far]) > 0.01):
        raise Fail("queries far above the threshold get the holdout value plus noise")


def _check_near(got, t, h, threshold, sigma, level) -> None:
    if np.isnan(got).any():
        raise Fail(
            "with a budget as large as the number of queries every query gets an "
            "answer (NaN only once the budget is spent)"
        )
    test = got[1::2]
    above = test != t[1::2]
    rates = np.array([above[level == j].mean() for j in range(len(NEAR_OFFSETS))])
    want = np.array([p_above(o * sigma, sigma) for o in NEAR_OFFSETS])
    z = (rates - want) / np.sqrt(want * (1 - want) / NEAR_PER_OFFSET)
    if np.all(np.abs(z) <= THRESH_Z):
        return
    if np.all((rates == 0) | (rates == 1)):
        raise Fail(
            "the comparison must be noisy: compare |h - t| with T + gamma + eta, "
            "gamma ~ Lap(2 sigma) (redrawn after each holdout answer) and a new "
            "eta ~ Lap(4 sigma) for every query"
        )

    def rate_ok(fn) -> bool:
        exp = np.array([fn(o * sigma) for o in NEAR_OFFSETS])
        zz = (rates - exp) / np.sqrt(
            np.maximum(exp * (1 - exp), 1e-12) / NEAR_PER_OFFSET
        )
        return bool(np.all(np.abs(zz) <= THRESH_Z))

    def lap_cdf(scale):
        return lambda d: float(stats.laplace.cdf(d, scale=scale))

    if rate_ok(lap_cdf(4 * sigma)):
        raise Fail(
            "the threshold itself must be noisy: T_hat = T + gamma with gamma ~ "
            "Lap(2 sigma), redrawn after each holdout answer"
        )
    if rate_ok(lap_cdf(2 * sigma)):
        raise Fail("each query needs its own eta ~ Lap(4 sigma) in the comparison")
    for factor in (0.25, 0.5, 2.0):
        if rate_ok(lambda d, f=factor: p_above(d, f * sigma)):
            raise Fail(
                "the noise scales of the comparison are wrong: gamma ~ Lap(2 sigma) "
                "and eta ~ Lap(4 sigma)"
            )
    raise Fail(
        "near the threshold, the share of queries answered from the holdout is not "
        "P(gamma + eta < |h - t| - T): check the noisy threshold and its noise "
        "(gamma ~ Lap(2 sigma), redrawn after each holdout answer; a new eta ~ "
        "Lap(4 sigma) for every query)"
    )


def thresh_check(outcomes: list[Outcome]) -> None:
    values = returned_values(outcomes)
    cases = thresh_inputs()
    for value, (name, case) in zip(values, cases.items(), strict=True):
        t, h, threshold, sigma, budget, _, extra = case
        t, h = np.asarray(t, dtype=float), np.asarray(h, dtype=float)
        got = _answers(value, t.size)
        if name == "below":
            _check_below(got, t, h)
        elif name == "above":
            _check_above(got, t, h, sigma)
        elif name == "budget":
            _check_budget(got, t, h, extra, budget)
        elif name == "near":
            _check_near(got, t, h, threshold, sigma, extra)
        elif name == "lists":
            if not (
                got[0] == t[0] and got[2] == t[2] and 0 < abs(got[1] - h[1]) < 0.01
            ):
                raise Fail(
                    "for train [0.7, 0.6, 0.8] and holdout [0.69, 0.1, 0.79] the "
                    "answers are 0.7, about 0.1 (noisy) and 0.8"
                )
        elif name == "spent":
            if not (abs(got[0] - 0.1) < 0.02 and np.isnan(got[1:]).all()):
                raise Fail(
                    "with budget 1 the first query is answered from the holdout and "
                    "the next two get NaN"
                )


TESTS = {
    "test_bonferroni_reject": Test(bonf_calls, bonf_check),
    "test_bh_reject": Test(bh_calls, bh_check),
    "test_smallest_pvalue": Test(smallest_calls, smallest_check),
    "test_thresholdout_answers": Test(thresh_calls, thresh_check),
}

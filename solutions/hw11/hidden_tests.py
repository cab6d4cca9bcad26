"""Hidden tests of homework 11 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw11.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Each part's calls use only that part's function, and every check
computes its reference answers from the calls it receives.

Inputs drawn per submission (from the ``rng`` the grader passes to ``calls``):

- parts 1 and 2: the hand-written cases (the public checks' among them, and
  the boundary cases) are fixed; the five large cases (null p-values mixed with
  signal, some rounded to two decimals so that they tie, and 50 p-values that
  no procedure rejects) are drawn per submission. A draw is kept only if no
  sorted p-value is within 1e-9 (relative) of a threshold it is compared with
  (so that correct answers cannot round differently) and, in the mixed cases,
  BH rejects some but not all p-values;
- parts 3 and 4: the seed of the generator ``rng`` that each call hands the
  student's function is drawn per submission (part 4 also makes 10,000 calls
  with fixed queries and a generator each); in part 4 the training and
  holdout values of the four large cases are drawn too (the two small cases of
  the public checks are fixed).

Parts 1 and 2 are deterministic and compared exactly with the definitions
(boundary cases use p-values and levels that are exact in binary, so that
``p <= alpha / m`` and ``m * p <= alpha`` agree): false-failure rate zero.
Part 5 is deterministic too: the public checks' case and a case where no
feature is kept are fixed, and four data sets are drawn per submission (no
signal as in the chapter; fewer kept features than k; informative features of
standard deviation 2, one with opposite signs on the two sets; unbalanced
holdout labels), each redrawn until no correlation is within 1e-9 of the cut,
no two training correlations are within 1e-9, and no classifier's score is
within 1e-9 of zero, so that correct answers that add up in another order agree;
a fixed case puts correlations exactly on the cut (exact in binary, so that
any correct answer decides them alike); the accuracies are compared to 1e-12:
false-failure rate zero.

Parts 3 and 4 are randomised: each call asks for many draws at once, and the
checks test distributions, never particular draws, so any correct answer passes
whatever order it draws in. Every test below has an exact level over all the
randomness (the student's draws, the inputs and the reference simulation), and
each of those test cells splits a total false-failure rate of 1e-6 between its
statistical tests (Bonferroni):

- part 3 makes 4 exact Kolmogorov-Smirnov tests, each at level 2.5e-7:
  one-sample against the exact null distribution of the smallest of k
  independent uniform p-values, or, when the outcomes are correlated,
  two-sample against a reference simulation of as many studies, drawn per
  submission from a stream independent of the student's (a child of the seed
  sequence of the student's generator);
- part 4 makes 14 tests, each at level 1e-6 / 15: the noise of answers far
  above the threshold (exact Kolmogorov-Smirnov against Laplace(sigma), and the
  exact Gamma(n) distribution of the sum of the absolute noises), the rate of
  holdout answers at 4 distances from the threshold (exact binomial tests
  against P(gamma + eta < distance) for gamma ~ Lap(2 sigma), eta ~
  Lap(4 sigma)), and 8 exact binomial tests on the first and the first redrawn
  threshold: 10,000 calls of 32 queries at the threshold with budget 2, where
  the lengths K of the runs of training answers have P(K > k) = E[(1 -
  F_eta(-gamma))^k] (see ``_check_first``, which also gives the power against
  wrong scales and distributions of gamma). The queries that must be answered
  from the training set (or from the holdout) with certainty are at least 120
  noise scales away from the threshold, and the holdout answers checked to a
  tolerance at least 20 noise scales; the chance that one of them fails is
  below 1e-8 in total, within the remaining 1e-6 / 15.

See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import integrate, stats

from course_tools.grading.checks import binomial_ok
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

ALPHA = 1e-6  # total false-failure rate of each randomised test cell


def student_rng(rng: np.random.Generator) -> np.random.Generator:
    """A generator for the student's function, with a seed drawn from ``rng``."""
    return np.random.default_rng(np.random.SeedSequence(int(rng.integers(2**63))))


def independent_rng(student: np.random.Generator) -> np.random.Generator:
    """A generator whose draws are independent of ``student``'s.

    A child of the seed sequence of the student's generator (which the calls
    keep untouched): unknown to the student, and the same for the same
    submission.
    """
    seq = student.bit_generator.seed_seq
    return np.random.default_rng(
        np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, 0))
    )


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


# (pvalues, alpha) cases shared by parts 1 and 2, fixed: the public checks' and
# hand-written boundary cases (exact in binary), ties and small sizes.
FIXED_PVALUE_CASES = [
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
]
#: Relative distance below which a p-value counts as on its threshold.
THRESHOLD_GAP = 1e-9


def clear_of_thresholds(pvalues, alpha) -> bool:
    """Whether no p-value is within rounding of a threshold it is compared with.

    BH compares the k-th smallest p-value with alpha k / m, Bonferroni every
    p-value with alpha / m; one within ``THRESHOLD_GAP`` (relative) of its
    threshold could be decided either way by two correct answers that compute
    it differently (``p <= alpha k / m`` or ``p m / k <= alpha``).
    """
    ordered = np.sort(np.asarray(pvalues, dtype=float))
    m = ordered.size
    for threshold in (alpha * np.arange(1, m + 1) / m, np.full(m, alpha / m)):
        if np.any(np.abs(ordered - threshold) <= THRESHOLD_GAP * threshold):
            return False
    return True


def some_discoveries(pvalues, alpha) -> bool:
    """Whether BH rejects some, but not all, of ``pvalues``."""
    rejected = int(bh_reference(pvalues, alpha).sum())
    return 0 < rejected < len(pvalues)


def draw_pvalue_cases(rng: np.random.Generator) -> list[tuple]:
    """(pvalues, alpha) cases drawn per submission, for parts 1 and 2.

    Null p-values (uniform) mixed with signal (Beta(0.1, 8), Beta(0.05, 20)),
    in random order, as an array and as a list; 119 of them rounded to two
    decimals, which makes ties (119 so that no threshold 0.1 k / 119 below 0.1
    is a multiple of 0.01); and 50 p-values above 0.2 that no procedure
    rejects at 0.1. The mixed cases are redrawn until they are clear of every
    threshold and BH rejects some but not all of their p-values.
    """
    while True:
        signal = rng.beta(0.1, 8.0, size=60)
        mixture = rng.permutation(np.r_[rng.uniform(size=440), signal])
        strong = rng.permutation(np.r_[rng.uniform(size=150), rng.beta(0.05, 20, 150)])
        rounded = np.round(rng.permutation(np.r_[rng.uniform(size=80), signal[:39]]), 2)
        mixed = [
            (mixture, 0.05),
            (mixture.tolist(), 0.2),
            (strong, 0.01),
            (rounded, 0.1),
        ]
        if all(clear_of_thresholds(*c) and some_discoveries(*c) for c in mixed):
            return [*mixed, (rng.uniform(0.2, 1.0, size=50), 0.1)]


def pvalue_cases(rng: np.random.Generator) -> list[tuple]:
    """Every (pvalues, alpha) case of parts 1 and 2: fixed ones first."""
    return [*FIXED_PVALUE_CASES, *draw_pvalue_cases(rng)]


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


def bonf_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("bonferroni_reject", args) for args in pvalue_cases(rng)]


def bonf_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        pvalues, alpha = call.args
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


def bh_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("bh_reject", args) for args in pvalue_cases(rng)]


def bh_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        pvalues, alpha = call.args
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

# (n_studies, n_per_group, n_outcomes, rho); each call also gets a generator
# seeded per submission.
SMALLEST_CASES = [
    (20_000, 5, 1, 0.0),
    (20_000, 10, 5, 0.0),
    (20_000, 20, 3, 0.5),
    (20_000, 10, 5, 0.8),
]
SMALLEST_ALPHA = ALPHA / 4


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


def smallest_reference(call: Call) -> np.ndarray:
    """A reference simulation of as many studies as ``call`` asks for.

    Drawn from a stream independent of the student's generator, so that the
    two-sample test has its exact level over both samples.
    """
    n_studies, n_per_group, n_outcomes, rho, student = call.args
    rng = independent_rng(student)
    return simulate_smallest(n_studies, n_per_group, n_outcomes, rho, rng)


def smallest_calls(rng: np.random.Generator) -> list[Call]:
    return [
        Call("smallest_pvalue", (*case, student_rng(rng))) for case in SMALLEST_CASES
    ]


def _min_uniform_cdf(k: int):
    return lambda x: 1 - (1 - np.clip(x, 0, 1)) ** k


def _max_uniform_cdf(x, k: int):
    return np.clip(x, 0, 1) ** k


def _fits(sample: np.ndarray, k: int, reference: np.ndarray | None) -> bool:
    """Exact Kolmogorov-Smirnov test at level ``SMALLEST_ALPHA``.

    One-sample against the smallest of k uniforms, or two-sample against a
    reference of the same size (for which scipy's exact method is fast).
    """
    if reference is None:
        pvalue = stats.kstest(sample, _min_uniform_cdf(k), method="exact").pvalue
    else:
        pvalue = stats.ks_2samp(sample, reference, method="exact").pvalue
    return pvalue >= SMALLEST_ALPHA


def smallest_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        n_s, _, k, rho, _ = call.args
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
        reference = None if rho == 0 else smallest_reference(call)
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

# Statistical tests of part 4: 2 on the noise of answers far above the
# threshold, 4 on the near case, and 2 x len(FIRST_EVENTS) binomial tests on the
# runs of the "first" calls (the first threshold and the first redrawn one).
FIRST_EVENTS = (1, 3, 8, 16)
THRESH_TESTS = 6 + 2 * len(FIRST_EVENTS)
THRESH_ALPHA = ALPHA / (THRESH_TESTS + 1)  # 1/15 left for the near-certain cases
# Distances from the threshold of the "near" queries, in units of sigma.
NEAR_OFFSETS = (-8.0, -3.0, 3.0, 8.0)
NEAR_PER_OFFSET = 10_000
# The cases of part 4, in the order of the calls.
THRESH_CASES = ("below", "above", "budget", "near", "lists", "spent")


def p_above(delta: float, sigma: float) -> float:
    """P(gamma + eta < delta) for gamma ~ Lap(2 sigma), eta ~ Lap(4 sigma)."""
    b1, b2 = 4 * sigma, 2 * sigma
    x = abs(delta)
    tail = (b1**2 * math.exp(-x / b1) - b2**2 * math.exp(-x / b2)) / (
        2 * (b1**2 - b2**2)
    )
    return 1 - tail if delta >= 0 else tail


def balanced_signs(rng: np.random.Generator, n: int) -> np.ndarray:
    """n signs, half of them -1 and half +1 (one more +1 if n is odd), shuffled."""
    return rng.permutation(np.where(np.arange(n) < n // 2, -1.0, 1.0))


def draw_budget_order(rng: np.random.Generator, n: int, budget: int) -> np.ndarray:
    """Which of n queries are far above the threshold: half of them, shuffled.

    Redrawn until the query that spends the budget has queries of both kinds
    before it and after it, so that the check sees every kind of answer.
    """
    while True:
        far = rng.permutation(np.arange(n) < n // 2)
        last = int(np.flatnonzero(np.cumsum(far) == budget)[0])
        before, after = far[:last], far[last + 1 :]
        if (~before).any() and after.any() and (~after).any():
            return far


def draw_thresh_cases(rng: np.random.Generator) -> list[tuple]:
    """(train, holdout, threshold, sigma, budget) of the large cases, per submission."""
    # Far below: |h - t| <= T - 120 sigma, so every answer is the training value.
    t = rng.uniform(0.2, 0.8, 3000)
    below = (t, t + rng.uniform(-0.08, 0.08, t.size), 0.2, 0.001, 1)
    # Far above: |h - t| >= T + 130 sigma, so every answer is h + Lap(sigma);
    # half of the differences are negative.
    t = rng.uniform(0.3, 0.7, 5000)
    gap = rng.uniform(0.3, 0.6, t.size) * balanced_signs(rng, t.size)
    above = (t, t + gap, 0.04, 0.002, t.size)
    # Budget: far-below (|h - t| <= T - 200 sigma) and far-above queries, budget 40.
    t = rng.uniform(0.3, 0.7, 200)
    far = draw_budget_order(rng, t.size, 40)
    gap = np.where(far, rng.uniform(0.3, 0.5, t.size), rng.uniform(0.0, 0.01, t.size))
    budget = (t, t - gap, 0.05, 0.0002, 40)
    # Near the threshold: each test query follows a far-above query (which draws
    # a new gamma), so every test query sees fresh gamma and eta.
    sigma, threshold = 0.001, 0.02
    level = rng.permutation(np.repeat(np.arange(len(NEAR_OFFSETS)), NEAR_PER_OFFSET))
    q = 2 * level.size
    t = rng.uniform(0.3, 0.7, q)
    gap = np.empty(q)
    gap[0::2] = threshold + 200 * sigma
    gap[1::2] = threshold + np.asarray(NEAR_OFFSETS)[level] * sigma
    near = (t, t + gap * rng.choice([-1, 1], q), threshold, sigma, q)
    return [below, above, budget, near]


# The public checks' small cases, with lists: fixed.
FIXED_THRESH_CASES = [
    ([0.7, 0.6, 0.8], [0.69, 0.1, 0.79], 0.04, 0.0002, 5),
    ([0.9, 0.9, 0.9], [0.1, 0.5, 0.9], 0.04, 0.001, 1),
]


# The "first" calls: FIRST_CALLS calls, each with its own generator, of
# 2 x FIRST_QUERIES queries exactly at the threshold (|h - t| = T, up to 2e-17)
# with budget 2. Each call draws a first noisy threshold T + gamma_0; the
# answers are t until the first query answered from the holdout (at position
# K_1), which redraws it (T + gamma_1); then t until the second holdout answer
# (K_2 queries later), then NaN. Given gamma the queries of a run are
# independent, so P(K > k) = E[(1 - F_eta(-gamma))^k] for both runs, and K_2 is
# independent of K_1 (fresh gamma and eta): the first run tests the FIRST
# threshold, the second one a redrawn threshold.
FIRST_CALLS = 10_000
FIRST_QUERIES = 16
FIRST_CASE = (
    np.full(2 * FIRST_QUERIES, 0.5),
    np.full(2 * FIRST_QUERIES, 0.52),
    0.02,
    0.001,
    2,
)


def run_survival(k: int, gamma_scale: float = 2.0, eta_scale: float = 4.0) -> float:
    """P(K > k): the first k queries at the threshold are all answered from training.

    gamma_0 ~ Lap(gamma_scale), eta ~ Lap(eta_scale) (in units of sigma); a
    query is answered from training when gamma_0 + eta >= 0. Numerical
    integration, accurate to about 1e-12, far below the tests' level.
    """
    below = functools.partial(stats.laplace.sf, scale=eta_scale)  # P(eta > -g)

    def integrand(g: float) -> float:
        return stats.laplace.pdf(g, scale=gamma_scale) * below(-g) ** k

    left = integrate.quad(integrand, -np.inf, 0.0, epsabs=1e-14, epsrel=1e-12)[0]
    right = integrate.quad(integrand, 0.0, np.inf, epsabs=1e-14, epsrel=1e-12)[0]
    return left + right


@functools.cache
def first_survival() -> dict[int, float]:
    return {k: run_survival(k) for k in FIRST_EVENTS}


def first_rng(seed: int) -> np.random.Generator:
    """The generator of one "first" call."""
    return np.random.default_rng(np.random.SeedSequence(seed))


def thresh_calls(rng: np.random.Generator) -> list[Call]:
    cases = [*draw_thresh_cases(rng), *FIXED_THRESH_CASES]
    calls = [Call("thresholdout_answers", (*case, student_rng(rng))) for case in cases]
    seeds = rng.integers(2**63, size=FIRST_CALLS).tolist()
    first = [Call(calls[0].function, (*FIRST_CASE, first_rng(s))) for s in seeds]
    return [*calls, *first]


def _laplace_ok(noise: np.ndarray, scale: float) -> bool:
    """Exact tests at level ``THRESH_ALPHA`` each that noise is Lap(scale).

    Kolmogorov-Smirnov, and the sum of |noise| / scale, which is Gamma(n, 1).
    """
    if stats.kstest(noise, "laplace", args=(0.0, scale), method="exact").pvalue < (
        THRESH_ALPHA
    ):
        return False
    total = stats.gamma(noise.size)
    s = float(np.abs(noise).sum() / scale)
    return min(total.cdf(s), total.sf(s)) >= THRESH_ALPHA / 2


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


def near_levels(t, h, threshold, sigma) -> np.ndarray:
    """Index in ``NEAR_OFFSETS`` of each test query (the odd ones) of the near case."""
    distance = (np.abs(h[1::2] - t[1::2]) - threshold) / sigma
    return np.abs(distance[:, None] - np.asarray(NEAR_OFFSETS)).argmin(axis=1)


def _check_near(got, t, h, threshold, sigma) -> None:
    if np.isnan(got).any():
        raise Fail(
            "with a budget as large as the number of queries every query gets an "
            "answer (NaN only once the budget is spent)"
        )
    level = near_levels(t, h, threshold, sigma)
    above = got[1::2] != t[1::2]
    counts = [int(above[level == j].sum()) for j in range(len(NEAR_OFFSETS))]
    sizes = [int((level == j).sum()) for j in range(len(NEAR_OFFSETS))]

    def rate_ok(fn) -> bool:
        return all(
            binomial_ok(c, n, fn(o * sigma), THRESH_ALPHA)
            for c, n, o in zip(counts, sizes, NEAR_OFFSETS, strict=True)
        )

    if rate_ok(lambda d: p_above(d, sigma)):
        return
    if all(c in (0, n) for c, n in zip(counts, sizes, strict=True)):
        raise Fail(
            "the comparison must be noisy: compare |h - t| with T + gamma + eta, "
            "gamma ~ Lap(2 sigma) (redrawn after each holdout answer) and a new "
            "eta ~ Lap(4 sigma) for every query"
        )

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


def _check_lists(got, t, h) -> None:
    if not (got[0] == t[0] and got[2] == t[2] and 0 < abs(got[1] - h[1]) < 0.01):
        raise Fail(
            "for train [0.7, 0.6, 0.8] and holdout [0.69, 0.1, 0.79] the "
            "answers are 0.7, about 0.1 (noisy) and 0.8"
        )


def _check_spent(got, h) -> None:
    if not (abs(got[0] - h[0]) < 0.02 and np.isnan(got[1:]).all()):
        raise Fail(
            "with budget 1 the first query is answered from the holdout and "
            "the next two get NaN"
        )


def _runs(got, t) -> tuple[int, int]:
    """(K_1, K_2) of one "first" call: the lengths of its two runs.

    K_1 is the 1-based position of the first holdout answer, K_2 the number of
    queries after it up to and including the second one; a run that reaches
    the end of the queries is counted as FIRST_QUERIES + 1 if it is at least
    that long (the checks only ask whether K > k for k <= FIRST_QUERIES).
    """
    answered = ~np.isnan(got)
    n_answered = int(answered.sum())
    holdout = np.flatnonzero(got[:n_answered] != t[:n_answered])
    if (
        not answered[:n_answered].all()
        or holdout.size > 2
        or (n_answered < got.size and holdout.size < 2)
        or (n_answered < got.size and holdout[-1] != n_answered - 1)
    ):
        raise Fail(
            "with budget 2, queries are answered (from training, or from the "
            "holdout) until the second holdout answer, and every later answer is NaN"
        )
    first = int(holdout[0]) + 1 if holdout.size else got.size + 1
    second = int(holdout[1]) + 1 - first if holdout.size > 1 else got.size + 1 - first
    return min(first, FIRST_QUERIES + 1), min(second, FIRST_QUERIES + 1)


def _check_first(values: list, calls: list[Call]) -> None:
    """The first and the redrawn threshold: binomial tests of P(K > k), k in FIRST_EVENTS.

    Exact binomial tests, each at level THRESH_ALPHA (2-sided), of the first
    runs K_1 of all FIRST_CALLS calls, and of the second runs K_2 of the calls
    whose K_1 <= FIRST_QUERIES (at least FIRST_QUERIES queries left; K_2 is
    independent of K_1, so the selection keeps the test exact). With 10,000
    calls (and at least 9,700 second runs with probability 1 - 1e-30), a
    threshold noise gamma drawn as one of the recognised mistakes fails with
    probability (exact binomial power of the best event, with P(K > k)
    integrated as in run_survival; the larger of the two runs' figures, with
    9,700 runs) at least 1 - 1e-6: gamma = 0 (no noise; pass probability 0 to
    double precision), Lap(sigma) (0), Lap(3 sigma) (1e-17), Lap(4 sigma)
    (2e-79), Exponential(2 sigma) (8e-177) and N(0, (2 sigma)^2) (P(K > 16) =
    0.0036 instead of 0.0131: 3e-8). A normal gamma with the Laplace's
    standard deviation, 2.83 sigma, is too close to tell at this size (it
    passes with probability 0.996).
    """
    t = np.asarray(calls[0].args[0], dtype=float)
    runs = np.array([_runs(_answers(v, t.size), t) for v in values])
    first, second = runs[:, 0], runs[:, 1][runs[:, 0] <= FIRST_QUERIES]
    survival = first_survival()

    def fits(k_run: np.ndarray) -> bool:
        return all(
            binomial_ok(int((k_run > k).sum()), k_run.size, p, THRESH_ALPHA)
            for k, p in survival.items()
        )

    if not fits(first):
        raise Fail(
            "the FIRST noisy threshold (before any holdout answer) must be T + "
            "gamma with gamma ~ Lap(2 sigma); with queries at the threshold, the "
            "share answered from the holdout does not fit it"
        )
    if not fits(second):
        raise Fail(
            "after each holdout answer, redraw the noisy threshold T + gamma with "
            "a new gamma ~ Lap(2 sigma); with queries at the threshold, the share "
            "answered from the holdout after the first one does not fit it"
        )


def thresh_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    values = returned_values(outcomes)
    n_cases = len(THRESH_CASES)
    for value, name, call in zip(
        values[:n_cases], THRESH_CASES, calls[:n_cases], strict=True
    ):
        t, h, threshold, sigma, budget, _ = call.args
        t, h = np.asarray(t, dtype=float), np.asarray(h, dtype=float)
        got = _answers(value, t.size)
        if name == "below":
            _check_below(got, t, h)
        elif name == "above":
            _check_above(got, t, h, sigma)
        elif name == "budget":
            _check_budget(got, t, h, np.abs(h - t) > threshold, budget)
        elif name == "near":
            _check_near(got, t, h, threshold, sigma)
        elif name == "lists":
            _check_lists(got, t, h)
        else:
            _check_spent(got, h)
    _check_first(values[n_cases:], calls[n_cases:])


# --------------------------------------------------------------------------
# Part 5: holdout_overfit (deterministic)
# --------------------------------------------------------------------------

#: Distance (absolute) below which a correlation counts as on the cut, a score
#: as zero, or two training correlations as tied: two correct answers that
#: compute them in another order could decide such a case differently.
OVERFIT_GAP = 1e-9


def _as_float(*arrays) -> list[np.ndarray]:
    return [np.asarray(a, dtype=float) for a in arrays]


def overfit_reference(xt, yt, xh, yh, xf, yf, ks, mistake: str | None = None):
    """(len(ks), 3) accuracies (train, holdout, fresh) and the scores' minimum |s|.

    The definition, or a recognised mistake; also returns the correlations, so
    that the draws can be checked to be clear of every cut and tie.
    """
    xt, yt, xh, yh, xf, yf = _as_float(xt, yt, xh, yh, xf, yf)
    n = yt.size
    if mistake == "corrcoef":
        with np.errstate(invalid="ignore", divide="ignore"):  # constant columns
            wt = np.array([np.corrcoef(col, yt)[0, 1] for col in xt.T])
            wh = np.array([np.corrcoef(col, yh)[0, 1] for col in xh.T])
    else:
        wt, wh = xt.T @ yt / n, xh.T @ yh / n
    cut = 1 / n if mistake == "cut-n" else 1 / math.sqrt(n)
    passes = np.greater_equal if mistake == "at-cut" else np.greater
    keep = passes(np.abs(wt), cut)
    if mistake != "train-only":
        keep &= passes(np.abs(wh), cut)
    if mistake not in ("no-sign", "train-only"):
        keep &= np.sign(wt) == np.sign(wh)
    kept = np.flatnonzero(keep)
    key = {
        "ascending": np.abs(wt[kept]),
        "by-holdout": -np.abs(wh[kept]),
        "signed": -wt[kept],
    }.get(mistake, -np.abs(wt[kept]))
    order = kept[np.argsort(key, kind="stable")]
    rows, smallest = [], np.inf
    for k in ks:
        chosen = order[: k - 1 if mistake == "k-1" else k]
        if chosen.size == 0:
            rows.append([0.0 if mistake == "empty-zero" else 0.5] * 3)
            continue
        weights = wt[chosen] if mistake == "weights" else np.sign(wt[chosen])
        row = []
        for x, y in ((xt, yt), (xh, yh), (xf, yf)):
            score = x[:, chosen] @ weights
            smallest = min(smallest, float(np.abs(score).min()))
            row.append(float(np.mean(np.sign(score) == y)))
        rows.append(row)
    return np.array(rows), wt, wh, smallest


OVERFIT_HINTS = {
    "no-sign": "keep a feature only if its two correlations have the SAME sign",
    "train-only": (
        "keep only the features whose correlation is larger than 1/sqrt(n) on BOTH "
        "sets with the same sign: the holdout takes part in the selection"
    ),
    "ascending": "use the k kept features with the LARGEST |training correlation|",
    "by-holdout": "rank the kept features by their TRAINING correlation |w_t|",
    "signed": "rank by the absolute value |w_t|, not by w_t itself",
    "weights": "the classifier adds up sign(w_t[j]) x_j: weights +1 or -1, not w_t",
    "corrcoef": (
        "the correlation here is w[j] = (1/n) sum_i x[i, j] y[i], not Pearson's "
        "coefficient (np.corrcoef)"
    ),
    "cut-n": "the cut is 1/sqrt(n), not 1/n",
    "at-cut": "keep a feature only if |w| is strictly LARGER than 1/sqrt(n)",
    "k-1": "each classifier uses k features (all the kept ones if fewer are kept)",
    "empty-zero": "when no feature is kept, every accuracy is 0.5",
}


def overfit_clear(case) -> bool:
    """Whether a drawn case is clear of the cut, of ties and of zero scores."""
    _, wt, wh, smallest = overfit_reference(*case)
    n = len(case[1])
    cut = 1 / math.sqrt(n)
    near_cut = np.abs(np.abs(np.r_[wt, wh]) - cut) <= OVERFIT_GAP
    ranked = np.sort(np.abs(wt))
    return not (
        near_cut.any()
        or np.any(np.diff(ranked) <= OVERFIT_GAP)
        or smallest <= OVERFIT_GAP
    )


def _signs(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.array([-1.0, 1.0]), size=n)


def draw_overfit_cases(rng: np.random.Generator) -> list[tuple]:
    """The cases drawn per submission (each redrawn until it is clear).

    - no signal, n = d = 500, fresh set of 700: the chapter's experiment;
    - no signal, n = 2000, d = 60: fewer features kept than the largest k;
    - features of standard deviation 2 with 5 informative ones, the first
      feature flipped on the holdout (large on both sets, opposite signs), as
      lists;
    - labels that are mostly +1 on the holdout (so that predicting +1 is not
      half right), no signal.
    """
    cases = []

    def keep(make):
        while True:
            case = make()
            if overfit_clear(case):
                cases.append(case)
                return

    def null():
        n, d = 500, 500
        x = [rng.standard_normal((m, d)) for m in (n, n, 700)]
        return (
            x[0],
            _signs(rng, n),
            x[1],
            _signs(rng, n),
            x[2],
            _signs(rng, 700),
            [1, 3, 10, 30, 100],
        )

    def few():
        n, d = 2000, 60
        x = [rng.standard_normal((n, d)) for _ in range(3)]
        return (
            x[0],
            _signs(rng, n),
            x[1],
            _signs(rng, n),
            x[2],
            _signs(rng, n),
            [1, 4, 10, 64],
        )

    def signal():
        n, d = 300, 200
        out = []
        for flip in (1.0, -1.0, 1.0):
            x = 2 * rng.standard_normal((n, d))
            y = np.sign(x[:, 1:6].sum(axis=1) + 3 * rng.standard_normal(n))
            x[:, 0] = flip * 2 * y + rng.standard_normal(n)
            out += [x.tolist(), y.tolist()]
        return (*out, [1, 2, 5, 20, 200])

    def skewed():
        n, d = 400, 300
        x = [rng.standard_normal((n, d)) for _ in range(3)]
        yh = np.where(rng.uniform(size=n) < 0.8, 1.0, -1.0)
        return (x[0], _signs(rng, n), x[1], yh, x[2], _signs(rng, n), [2, 8, 40])

    for make in (null, few, signal, skewed):
        keep(make)
    return cases


def _hand_case() -> tuple:
    """The public checks' case: 4 points, 4 features, 2 of them kept."""
    xt = [[2, -1, 1, 1], [-1, 1, -1, 0], [1, -1, 1, 0], [-2, 0, -1, 0]]
    xh = [[1, -1, -1, 1], [-1, 2, 1, -1], [2, -1, 0, 1], [1, 0, 1, -1]]
    xf = [[1.0, 2.0, 0.0, 1.0], [-1.0, 1.0, 1.0, 1.0], [0.5, -1.0, 1.0, 1.0]]
    y = [1, -1, 1, -1]
    return (xt, y, xh, y, xf, [1, -1, 1], [1, 2, 4])


def _none_kept_case() -> tuple:
    """No feature passes the cut (every correlation is 0 or small): all 0.5."""
    x = np.array([[1.0, 0.1], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    y = np.array([1.0, -1.0, 1.0, -1.0])
    return (x, y, x, y, x, y, [1, 3])


def _cut_case() -> tuple:
    """Correlations exactly on the cut 1/sqrt(4) = 0.5 (exact in binary): not kept.

    Feature 0 is kept; feature 1 has w_t = 0.5 and feature 2 has w_h = -0.5,
    so an answer that keeps |w| >= 1/sqrt(n) uses them at k = 3 and gets other
    fresh accuracies (no score is 0 under either rule).
    """
    y = [1.0, -1.0, 1.0, -1.0]
    xt = np.array([[2, -2, 1, -1], [1, -1, 0, 0], [-1, 1, -1, 0]], dtype=float).T
    xh = np.array([[1, -1, 1, -1], [2, -2, 2, -2], [-1, 1, 0, 0]], dtype=float).T
    xf = np.array(
        [[1, -1, 1, -2, 0.5], [-2, 0, 3, 1, 1], [2, 2, -1, 1, -1]], dtype=float
    ).T
    return (xt, y, xh, y, xf, [1.0, 1.0, -1.0, -1.0, 1.0], [1, 3])


def overfit_calls(rng: np.random.Generator) -> list[Call]:
    cases = [_hand_case(), _none_kept_case(), _cut_case(), *draw_overfit_cases(rng)]
    return [Call("holdout_overfit", case) for case in cases]


def overfit_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        ks = call.args[-1]
        want = overfit_reference(*call.args)[0]
        try:
            got = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as error:
            raise Fail("holdout_overfit must return an array of accuracies") from error
        if got.shape != want.shape:
            raise Fail(
                f"return one row per k and 3 columns (train, holdout, fresh), shape "
                f"({len(ks)}, 3); got {got.shape}"
            )
        if np.allclose(got, want, rtol=0, atol=1e-12):
            continue
        for mistake, hint in OVERFIT_HINTS.items():
            if np.allclose(got, overfit_reference(*call.args, mistake)[0], atol=1e-12):
                raise Fail(hint)
        if np.allclose(got, want[:, [1, 0, 2]], atol=1e-12):
            raise Fail("the columns are train, holdout, fresh, in that order")
        raise Fail(
            f"wrong accuracies for n = {len(call.args[1])} points, "
            f"d = {np.shape(call.args[0])[1]} features and ks = {list(ks)}"
        )


TESTS = {
    "test_bonferroni_reject": Test(bonf_calls, bonf_check),
    "test_bh_reject": Test(bh_calls, bh_check),
    "test_smallest_pvalue": Test(smallest_calls, smallest_check),
    "test_thresholdout_answers": Test(thresh_calls, thresh_check),
    "test_holdout_overfit": Test(overfit_calls, overfit_check),
}

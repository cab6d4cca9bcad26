"""Hidden tests of homework 7 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw07.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Each part's calls use only that part's function.

Inputs drawn per submission: the calls of parts 1, 2 and 3 take the
submission's ``rng`` (see ``course_tools.grading.spec``), and their checks
compute every reference from the calls they receive. Part 1 draws the bits
of its three large calls (a drawn number of 1s, in random order) and the
seeds of the Generators its calls hand to the student; part 2 draws the
responses of its two long calls (shares of 1s kept away from 0, 1/2 and 1,
where a mistake would give the right estimate); part 3 draws its three large
datasets (redrawn until forgetting to clip shows, see ``_clipping_shift``)
and its Generators' seeds; part 6 draws the public values of six cases
(ages, incomes, Pareto outliers, a few shares, uniform values under a tiny
and a huge budget); part 7 draws the number of people of each kind in its
two selection calls (one with rows in order, one shuffled with large random
ids), the visits of its noise call, and its Generators' seeds. Fixed: the
public checks' cases (with their seeds), the small hand-written edge cases,
and the whole of part 4.

Part 6 is open: any bound whose error is within 0.1% of the smallest one
passes (``BOUND_RTOL``), so the check computes the exact minimum and tests
that property, not a particular bound or method. Part 7 checks what every
correct choice of kept visits satisfies exactly (each person keeps
min(visits, cap), people within the cap keep all), binomial tests of the
randomness of the choice, and the noise as in part 3.

Parts 2 and 4 are deterministic and compared with reference values at a
tolerance of 1e-9 (false-failure rate zero), part 6 against the property
above. Parts 1, 3 and 7 are randomised:
each Call passes a Generator and asks for many draws at once, and the checks
test distributions, never particular draws, so any correct answer passes
whatever order it draws in. Every statistical test is exact for a correct
answer whatever inputs were drawn (binomial tests, a runs test, and
Kolmogorov-Smirnov and sign tests on continuous noise), and each of those
test cells splits a total false-failure rate of 1e-6 between a fixed number
of them (Bonferroni); see ``ALPHA``.
See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from course_tools.grading.checks import binomial_ok, signs_independent
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

ALPHA = 1e-6  # total false-failure rate of each randomised test cell
ATOL = 1e-9


def _float_array(value, name: str, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise Fail(f"{name} must return an array of numbers") from error
    if arr.shape != shape:
        raise Fail(f"{name} must return an array of shape {shape}; got {arr.shape}")
    if not np.isfinite(arr).all():
        raise Fail(f"{name} returned NaN or infinite values")
    return arr


def _student_rng(rng: np.random.Generator) -> np.random.Generator:
    """A Generator for the student's function, its seed drawn from ``rng``."""
    return np.random.default_rng(int(rng.integers(2**63)))


def _shuffled_bits(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """``n`` bits in random order, between ``low`` and ``high`` of them 1s.

    The number of 1s is drawn uniformly, so the bounds hold by construction.
    """
    bits = np.zeros(n, dtype=int)
    bits[: int(rng.integers(low, high + 1))] = 1
    return rng.permutation(bits)


# --------------------------------------------------------------------------
# Part 1: randomized_response
# --------------------------------------------------------------------------

# Epsilons of the three large calls, whose bits are drawn per submission.
RR_EPSILONS = (1.0, 0.25, 3.0)
# Statistical tests on each large call (the three drawn ones and the public
# check's 20,000 zeros): the flip rate among true 0s and among true 1s (exact
# binomial tests; the zeros have no 1s) and the order of the flips (exact runs
# test): at most 4 x 3 = 12 tests. A 13th share bounds the "nobody lies"
# check: a call whose chance of flipping any bit is below it must report the
# truth. So 13 shares of ALPHA in all.
# Power: the call with epsilon = 1 has at least 80,000 true 0s and 80,000 true
# 1s; there, a flip probability of e^-epsilon (0.368 instead of 0.269), keep
# and flip swapped (0.731), or even a flip probability 10% too high (0.296)
# passes the binomial test of either group with probability below 1e-30
# (exact binomial tails at level RR_ALPHA).
RR_TESTS = 13
RR_ALPHA = ALPHA / RR_TESTS


def rr_calls(rng: np.random.Generator) -> list[Call]:
    large = [
        _shuffled_bits(rng, 200_000, 80_000, 120_000),
        _shuffled_bits(rng, 200_000, 80_000, 120_000).astype(bool),
        _shuffled_bits(rng, 120_000, 48_000, 72_000).tolist(),
    ]
    calls = [
        Call("randomized_response", (bits, eps, _student_rng(rng)))
        for bits, eps in zip(large, RR_EPSILONS, strict=True)
    ]
    # The public checks' cases, with their seeds, and a tiny int8 case.
    public = [
        (np.zeros(20_000, dtype=int), 1.0, np.random.default_rng(0)),
        ([1, 1, 1, 1], 50.0, np.random.default_rng(1)),
        (np.array([1, 0, 1, 1, 0], dtype=np.int8), 0.5, _student_rng(rng)),
    ]
    return [*calls, *(Call("randomized_response", args) for args in public)]


def _rate_ok(flips: np.ndarray, q: float) -> bool:
    """Whether the share of flips fits the flip probability ``q``."""
    return binomial_ok(int(flips.sum()), flips.size, q, RR_ALPHA)


def _log_comb(n: np.ndarray | int, k: np.ndarray | int) -> np.ndarray:
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


def _runs_ok(flips: np.ndarray, alpha: float) -> bool:
    """Whether the flipped positions are in random order: an exact runs test.

    Given their number ``f``, independent flips of equal probability sit at
    ``f`` positions drawn at random among ``n``: the number of runs of
    consecutive flips is ``r`` with probability C(f - 1, r - 1) C(n - f + 1, r)
    / C(n, f). Too few runs (flips clumped together) or too many (flips kept
    apart) fail, each with probability at most ``alpha / 2``.
    """
    n, f = flips.size, int(flips.sum())
    if f in (0, n):
        return True
    runs = int(flips[0]) + int(np.sum(flips[1:] & ~flips[:-1]))
    r = np.arange(1, min(f, n - f + 1) + 1)
    log_p = _log_comb(f - 1, r - 1) + _log_comb(n - f + 1, r)
    log_p -= special.logsumexp(log_p)
    at_most = special.logsumexp(log_p[:runs])
    at_least = special.logsumexp(log_p[runs - 1 :])
    return bool(min(at_most, at_least) >= math.log(alpha / 2))


def _rr_rates_hint(groups: dict[str, np.ndarray], eps: float) -> str:
    """The hint for flip rates that do not fit 1 / (1 + e^epsilon)."""
    if any(not flips.any() for flips in groups.values()):
        return (
            "randomise every answer, the 0s as well as the 1s (some bits were "
            "never flipped)"
        )
    q = 1 / (1 + math.exp(eps))
    rates = {
        "flip probability e^-epsilon": math.exp(-eps),
        "keep probability 1 / (1 + e^epsilon) (keep and flip swapped)": 1 - q,
    }
    for mistake, rate in rates.items():
        if all(_rate_ok(flips, rate) for flips in groups.values()):
            return (
                "each bit must be kept with probability e^epsilon / "
                f"(1 + e^epsilon); yours looks like {mistake}"
            )
    shares = " and ".join(
        f"{flips.mean():.4f} among the {name}" for name, flips in groups.items()
    )
    return (
        f"with epsilon = {eps} the share of flipped bits should be "
        f"1 / (1 + e^epsilon) = {q:.4f} among the 0s and among the 1s; got "
        f"{shares}"
    )


def _rr_flips_check(flips: np.ndarray, truth: np.ndarray, eps: float) -> None:
    """Check the flips of one large call: their rates and their independence."""
    if flips.all() or not flips.any():
        raise Fail(
            "every bit needs its own independent coin: you flipped all of them "
            "or none (one random draw reused for every person?)"
        )
    q = 1 / (1 + math.exp(eps))
    groups = {f"{bit}s": flips[truth == bit] for bit in (0, 1) if (truth == bit).any()}
    if not all(_rate_ok(group, q) for group in groups.values()):
        raise Fail(_rr_rates_hint(groups, eps))
    if not _runs_ok(flips, RR_ALPHA):
        raise Fail("the flips of different people must be independent")


def rr_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        bits, eps = call.args[0], call.args[1]
        truth = np.asarray(bits).astype(int)
        reports = _float_array(value, "randomized_response", truth.shape)
        if not np.isin(reports, (0, 1)).all():
            raise Fail("return the reported bits themselves (0/1), not an estimate")
        flips = reports.astype(int) != truth
        q = 1 / (1 + math.exp(eps))
        if truth.size * q < RR_ALPHA:  # any flip at all has a smaller chance
            if flips.any():
                raise Fail(
                    f"with epsilon = {eps:g} a bit is flipped with probability "
                    f"1 / (1 + e^epsilon) = {q:.2g}: everybody tells the truth"
                )
        elif truth.size >= 1000:
            _rr_flips_check(flips, truth, eps)


# --------------------------------------------------------------------------
# Part 2: rr_estimate
# --------------------------------------------------------------------------

# Hand-written edge cases, checked first.
EST_EDGE_CASES = [
    ([1, 0, 0, 1, 1, 0, 1, 0, 0, 0], 1.0),
    (np.array([0, 0, 0, 0, 1]), 0.5),  # below 1 - p: a negative estimate
    (np.ones(8, dtype=bool), 0.8),  # above p: an estimate above 1
]
# Fixed cases checked after the drawn ones: a share of 1s of 0.3 exactly, then
# the public checks' cases.
EST_FIXED_CASES = [
    (np.r_[np.ones(300), np.zeros(700)].astype(int), 1.5),
    ([1, 0, 0, 1], 1.0),
    ([1, 1, 1, 1], 1.0),
    (np.array([0, 1, 1]), 2.0),
]


def est_drawn_cases(rng: np.random.Generator) -> list[tuple]:
    """Two long (responses, epsilon) cases drawn from ``rng``.

    Their shares of 1s (0.35 to 0.45, 0.55 to 0.65) are never 0, 1/2 or 1,
    nor 1 - p, where a mistake gives the right estimate; the second one's
    estimate is above 1 (2p - 1 = 0.05 is small).
    """
    return [
        (_shuffled_bits(rng, 50_000, 17_500, 22_500).astype(np.int8), 2.0),
        (_shuffled_bits(rng, 1000, 550, 650).astype(bool).tolist(), 0.1),
    ]


def est_reference(responses, eps: float, mistake: str | None = None) -> float:
    m = float(np.mean(np.asarray(responses, dtype=float)))
    p = math.exp(eps) / (1 + math.exp(eps))
    if mistake == "raw":
        return m
    if mistake == "no_shift":
        return m / (2 * p - 1)
    if mistake == "over_p":
        return (m - (1 - p)) / p
    if mistake == "swapped":
        return (m - p) / (1 - 2 * p)
    value = (m - (1 - p)) / (2 * p - 1)
    if mistake == "clipped":
        return min(max(value, 0.0), 1.0)
    return value


def est_calls(rng: np.random.Generator) -> list[Call]:
    cases = [*EST_EDGE_CASES, *est_drawn_cases(rng), *EST_FIXED_CASES]
    return [Call("rr_estimate", args) for args in cases]


def est_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        args = call.args
        try:
            got = float(value)
        except (TypeError, ValueError) as error:
            raise Fail("rr_estimate must return one number") from error
        if math.isclose(got, est_reference(*args), rel_tol=0, abs_tol=ATOL):
            continue
        hints = {
            "clipped": "do not clip the estimate to [0, 1]: clipping makes it biased "
            "(an unbiased estimate can fall below 0 or above 1)",
            "raw": "correct the raw share of 1s for the flips: "
            "(share - (1 - p)) / (2p - 1)",
            "no_shift": "subtract 1 - p (the share of 1s that the flips of true 0s "
            "create) before dividing by 2p - 1",
            "over_p": "divide by 2p - 1, not by p",
            "swapped": "p = e^epsilon / (1 + e^epsilon) is the probability of keeping "
            "a bit, not of flipping it",
        }
        for mistake, hint in hints.items():
            if math.isclose(got, est_reference(*args, mistake), abs_tol=ATOL):
                raise Fail(hint)
        raise Fail("the estimate is wrong")


# --------------------------------------------------------------------------
# Part 3: noisy_clipped_sums
# --------------------------------------------------------------------------

SUMS_ROWS = 40_000
# (kind of data, lower, upper, epsilon) of the three datasets drawn per
# submission, all with values beyond the bounds.
SUMS_DRAWN = [
    ("heavy", -10.0, 30.0, 0.5),  # sensitivity 30, scale 60
    ("ages", 0.0, 5.0, 2.0),  # sensitivity 5, scale 2.5
    ("mixed", -4.0, 1.0, 1.0),  # sensitivity 4 (not 5 = upper - lower)
]
# Forgetting to clip must move the noise's CDF at 0 by at least this much
# (see _clipping_shift).
MIN_CLIPPING_SHIFT = 0.06

# Statistical tests on each of the four large calls (the three drawn ones and
# the public check's): a two-sided KS test of the noise against the exact
# Laplace CDF and a sign test of independence between neighbouring datasets:
# 4 calls x 2 = 8 tests.
# Power: with 40,000 rows the exact KS test at level SUMS_ALPHA fails above a
# distance of 0.0144, and (DKW) noise at KS distance delta from the right
# Laplace passes with probability at most 2 exp(-2 n (delta - 0.0144)^2):
# a Laplace scale off by a factor 1.25 either way (distance 0.041; e.g.
# (upper - lower) / epsilon for the "mixed" dataset, 5 / 4) passes with
# probability below 1e-24, a factor 2 (0.125) below 1e-300, and Gaussian
# noise with the same scale parameter (0.047) or the same standard deviation
# (0.062) below 1e-36.
SUMS_TESTS = 8
SUMS_ALPHA = ALPHA / SUMS_TESTS


def _heavy_tailed(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Student's t with 2 degrees of freedom (outliers), by inverting its CDF.

    Cheaper than ``rng.standard_t``; ``u`` is kept away from 0 so that every
    value is finite.
    """
    u = np.maximum(rng.random(shape), 2.0**-60)
    return (2 * u - 1) / np.sqrt(2 * u * (1 - u))


def _sums_data(rng: np.random.Generator, kind: str) -> np.ndarray:
    """One large dataset of ``kind`` (see ``SUMS_DRAWN``), drawn from ``rng``."""
    if kind == "heavy":  # outliers beyond both bounds, more below
        return _heavy_tailed(rng, (SUMS_ROWS, 20)) * 10
    if kind == "ages":  # integers 0 to 11, many above the upper bound
        return np.floor(rng.random((SUMS_ROWS, 20)) * 12)
    return rng.normal(-1, 3, size=(SUMS_ROWS, 10))


def _clipping_shift(data: np.ndarray, lower: float, upper: float, eps: float) -> float:
    """How far forgetting to clip moves the noise's CDF at 0.

    Without clipping, the noise (output minus clipped sum) of row i is Laplace
    noise plus d_i = raw sum - clipped sum: its CDF at 0 averages F(-d_i), the
    Laplace CDF, instead of 1/2. Over 40,000 rows the empirical CDF at 0
    strays from that average by more than 0.02 with probability below 1e-13
    (Hoeffding), so a shift of MIN_CLIPPING_SHIFT = 0.06 puts the KS distance
    of such noise above 0.04, far beyond the 0.0144 at which the test fails.
    (The datasets of ``SUMS_DRAWN`` shift it by about 0.17, 0.5 and 0.12.)
    """
    d = data.sum(axis=1) - np.clip(data, lower, upper).sum(axis=1)
    scale = max(abs(lower), abs(upper)) / eps
    return abs(float(stats.laplace.cdf(-d / scale).mean()) - 0.5)


def sums_drawn_cases(rng: np.random.Generator) -> list[tuple]:
    """The (data, lower, upper, epsilon) of ``SUMS_DRAWN``, drawn from ``rng``.

    Each dataset is redrawn (from ``rng``) until forgetting to clip shows.
    """
    cases = []
    for kind, lo, hi, eps in SUMS_DRAWN:
        data = _sums_data(rng, kind)
        while _clipping_shift(data, lo, hi, eps) < MIN_CLIPPING_SHIFT:
            data = _sums_data(rng, kind)
        cases.append((data, lo, hi, eps))
    return cases


def sums_calls(rng: np.random.Generator) -> list[Call]:
    calls = [
        Call("noisy_clipped_sums", (*case, _student_rng(rng)))
        for case in sums_drawn_cases(rng)
    ]
    return [
        *calls,
        # The public check's case, with its seed.
        Call(
            "noisy_clipped_sums",
            (np.full((50_000, 4), 10.0), 0.0, 5.0, 1.0, np.random.default_rng(2)),
        ),
        Call(
            "noisy_clipped_sums",
            ([[1.0, 2.0, 3.0], [10.0, -20.0, 0.0]], -1.0, 2.0, 1.0, _student_rng(rng)),
        ),
    ]


def _ks_ok(noise: np.ndarray, scale: float) -> bool:
    return stats.kstest(noise, "laplace", args=(0.0, scale)).pvalue >= SUMS_ALPHA


def _sums_noise_hint(
    noise: np.ndarray,
    raw_noise: np.ndarray,
    lo: float,
    hi: float,
    eps: float,
    n_values: int,
) -> str:
    """The hint for noise that is not Laplace with scale sensitivity / epsilon."""
    scale = max(abs(lo), abs(hi)) / eps
    if _ks_ok(raw_noise, scale) or (
        abs(np.median(raw_noise)) < 3 * scale / math.sqrt(noise.size)
        and abs(np.median(noise)) > 10 * scale / math.sqrt(noise.size)
    ):
        return "clip every value to [lower, upper] before summing"
    wrong_scales = {
        eps: "the Laplace scale is sensitivity / epsilon, not epsilon",
        1 / eps: "the Laplace scale is sensitivity / epsilon: you left out the "
        "sensitivity of a clipped sum, max(|lower|, |upper|)",
        (hi - lo) / eps: "when neighbouring datasets differ by adding or removing "
        "one person, the sensitivity of a clipped sum is max(|lower|, |upper|), "
        "not upper - lower",
        eps / max(abs(lo), abs(hi)): "the Laplace scale is sensitivity / epsilon, "
        "not epsilon / sensitivity",
    }
    for wrong, hint in wrong_scales.items():
        if wrong != scale and _ks_ok(noise, wrong):
            return hint
    per_value = 2 * scale**2 * n_values
    if abs(noise.var() / per_value - 1) < 0.1:
        return (
            "add one Laplace draw to each sum, not one to every value: noise "
            "on each value adds up to far more than the sum needs"
        )
    gaussian = stats.kstest(noise, "norm", args=(0.0, noise.std())).pvalue
    if gaussian >= SUMS_ALPHA:
        return "the noise must be Laplace (rng.laplace), not Gaussian"
    return (
        f"the noise (output minus clipped sum) should follow a Laplace "
        f"distribution with scale {scale:g}; its mean absolute value is "
        f"{np.abs(noise).mean():.3g} (expected {scale:g})"
    )


def sums_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        data, lo, hi, eps = call.args[:4]
        x = np.asarray(data, dtype=float)
        got = _float_array(value, "noisy_clipped_sums", (x.shape[0],))
        noise = got - np.clip(x, lo, hi).sum(axis=1)
        if x.shape[0] < 1000:
            continue
        if np.unique(np.round(noise, 9)).size < 10:
            if np.ptp(noise) < 1e-9 and abs(noise[0]) < 1e-9:
                raise Fail("no noise was added: add Laplace noise to every sum")
            raise Fail(
                "draw independent noise for every dataset: one noise value was "
                "reused for several sums"
            )
        scale = max(abs(lo), abs(hi)) / eps
        if not _ks_ok(noise, scale):
            raw_noise = got - x.sum(axis=1)
            raise Fail(_sums_noise_hint(noise, raw_noise, lo, hi, eps, x.shape[1]))
        if not signs_independent(noise, SUMS_ALPHA):
            raise Fail("the noise on different sums must be independent")


# --------------------------------------------------------------------------
# Part 4: laplace_scales
# --------------------------------------------------------------------------


def scales_inputs() -> list[tuple]:
    return [
        ([1.0, 1.0, 1.0, 1.0], 1.0, False),
        ([1.0, 1.0, 1.0, 1.0], 1.0, True),
        ([1.0, 90.0, 0.5], 0.3, False),
        ([1.0, 90.0, 0.5], 0.3, True),
        (np.array([2.0]), 2.0, False),
        (np.array([2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]), 0.5, False),
        ((4.0, 4.0), 8.0, True),
        # The public checks' cases.
        ([1.0, 1.0], 1.0, False),
        ([1.0, 1.0], 1.0, True),
        ((3.0, 1.0, 2.0), 0.5, False),
    ]


def scales_reference(sens, total, disjoint, mistake: str | None = None):
    s = np.asarray(sens, dtype=float)
    k = s.size
    each = total if disjoint else total / k
    if mistake == "no_split":
        each = total
    if mistake == "split_disjoint":
        each = total / k
    if mistake == "sqrt":
        each = total if disjoint else total / math.sqrt(k)
    if mistake == "no_sensitivity":
        return np.full(k, 1 / each)
    if mistake == "inverted":
        return each / s
    return s / each


def scales_calls() -> list[Call]:
    return [Call("laplace_scales", args) for args in scales_inputs()]


def scales_check(outcomes: list[Outcome]) -> None:
    for value, args in zip(returned_values(outcomes), scales_inputs(), strict=True):
        want = scales_reference(*args)
        got = _float_array(value, "laplace_scales", want.shape)
        if np.allclose(got, want, rtol=1e-9, atol=0):
            continue
        disjoint = args[2]
        hints = {
            "no_split": "queries on the same people compose sequentially: their "
            "epsilons add up, so each may spend only total_epsilon / k",
            "split_disjoint": "queries on disjoint parts of the data compose in "
            "parallel: each may spend the whole total_epsilon",
            "sqrt": "basic (sequential) composition splits the budget into k equal "
            "parts, not sqrt(k)",
            "no_sensitivity": "each scale is the query's sensitivity divided by its "
            "epsilon",
            "inverted": "the scale is sensitivity / epsilon, not epsilon / sensitivity",
        }
        for mistake, hint in hints.items():
            wrong = scales_reference(*args, mistake)
            if np.allclose(got, wrong, rtol=1e-9, atol=0) and not np.allclose(
                wrong, want, rtol=1e-9, atol=0
            ):
                raise Fail(hint)
        kind = "disjoint" if disjoint else "overlapping"
        raise Fail(f"the scales for {kind} queries are wrong")


# --------------------------------------------------------------------------
# Part 6: clipping_bound
# --------------------------------------------------------------------------

# Any bound whose root mean squared error is within this factor of the
# smallest possible one passes (the notebook states it): the checks test the
# property, not one way of finding the bound.
BOUND_RTOL = 1e-3


def bound_rmse(upper: float, values: np.ndarray, n: float, eps: float) -> float:
    """The root mean squared error of the private mean with bound ``upper``.

    The clipping bias as the public values estimate it, mean(min(x, U)) -
    mean(x), and the standard deviation sqrt(2) U / (epsilon n) of Laplace
    noise of scale U / epsilon on the sum, divided by n.
    """
    bias = float(np.maximum(values - upper, 0.0).mean())
    return math.sqrt(bias**2 + 2 * (upper / (eps * n)) ** 2)


def best_bound(values: np.ndarray, n: float, eps: float, k2: float | None = None):
    """The bound minimising the error exactly, and that error.

    Between two consecutive public values the squared error is a parabola in
    U, so its minimum is the vertex of one of them (clipped to its interval).
    ``k2`` replaces the noise variance per unit of U^2, 2 / (epsilon n)^2,
    to find the bound a mistake would choose.
    """
    x = np.sort(values)
    size = x.size
    if k2 is None:
        k2 = 2 / (eps * n) ** 2
    above = size - np.arange(size + 1)
    tail = np.r_[np.cumsum(x[::-1])[::-1], 0.0]
    share = above / size
    vertex = tail / size * share / (share**2 + k2)
    cand = np.clip(vertex, np.r_[0.0, x], np.r_[x, np.inf])
    best = float(cand[np.argmin(((tail - above * cand) / size) ** 2 + k2 * cand**2)])
    return best, bound_rmse(best, x, n, eps)


def _bound_values(rng: np.random.Generator, kind: str) -> np.ndarray:
    """Public values of ``kind`` (see ``BOUND_DRAWN``), drawn from ``rng``."""
    if kind == "ages":  # integers from 17 to 90, skewed to the right
        return np.minimum(np.round(17 + rng.gamma(2.0, 11.0, 3000)), 90.0)
    if kind == "incomes":
        return rng.lognormal(10.5, 0.9, 5000)
    if kind == "pareto":  # a few huge values
        return (rng.pareto(1.3, 2000) + 1) * 1000
    if kind == "shares":  # a few values below 1, far apart
        return rng.uniform(0, 1, 5)
    return rng.uniform(10, 100, 1000)


# (kind of public values, n, epsilon) of the cases drawn per submission: an
# optimum inside the bulk, in the tail, among huge outliers, between a few
# values below 1 (where rounding shows), far below every value (a tiny
# budget: about 0.27, below 1) and close to the maximum (a huge one).
BOUND_DRAWN = [
    ("ages", 400, 0.5),
    ("incomes", 3000, 1.0),
    ("pareto", 1000, 0.2),
    ("shares", 30, 0.5),
    ("uniform", 10, 0.01),
    ("uniform", 1_000_000, 10.0),
]


def bound_cases(rng: np.random.Generator) -> list[tuple]:
    drawn = [(_bound_values(rng, kind), n, eps) for kind, n, eps in BOUND_DRAWN]
    drawn[1] = (drawn[1][0].tolist(), *drawn[1][1:])  # a list works too
    ages = np.arange(17, 91, dtype=float).repeat(np.arange(74, 0, -1))
    return [
        *drawn,
        (ages, 200, 1.0),
        (np.array([3.0, 1.0, 2.0, 100.0]), 50, 0.3),
        # The public checks' cases.
        (np.full(100, 50.0), 100, 0.1),
        (np.random.default_rng(0).lognormal(10, 1, 2000), 1000, 0.5),
    ]


def bound_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("clipping_bound", case) for case in bound_cases(rng)]


def _bound_hint(got: float, values: np.ndarray, n: float, eps: float) -> str:
    best, err = best_bound(values, n, eps)
    mine = bound_rmse(got, values, n, eps)
    mistakes = {
        "the noise's standard deviation is sqrt(2) U / (epsilon n): you left out "
        "the sqrt(2) of the Laplace distribution": 1 / (eps * n) ** 2,
        "the noise is added to the sum and divided by n: its standard deviation "
        "is sqrt(2) U / (epsilon n), not sqrt(2) U / epsilon": 2 / eps**2,
    }
    for hint, k2 in mistakes.items():
        wrong, _ = best_bound(values, n, eps, k2)
        if abs(got - wrong) <= 1e-3 * max(wrong, 1e-9) and (
            bound_rmse(wrong, values, n, eps) > (1 + BOUND_RTOL) * err
        ):
            return hint
    x_max = float(np.max(values))
    if math.isclose(got, x_max, rel_tol=1e-9):
        return (
            "clipping at the largest public value removes the bias but not the "
            "noise: a smaller bound trades a little bias for less noise"
        )
    return (
        f"with n = {n:g} and epsilon = {eps:g} your bound U = {got:.6g} has a root "
        f"mean squared error of {mine:.6g}; the best bound's is {err:.6g}, and "
        f"yours must be within {BOUND_RTOL:.1%} of it (is the best U "
        f"{'smaller' if best < got else 'larger'}?)"
    )


def bound_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        values = np.asarray(call.args[0], dtype=float)
        n, eps = call.args[1], call.args[2]
        try:
            got = float(value)
        except (TypeError, ValueError) as error:
            raise Fail("clipping_bound must return one number") from error
        if not math.isfinite(got) or got < 0:
            raise Fail(f"the bound must be a finite number >= 0; got {got}")
        _, err = best_bound(values, n, eps)
        if bound_rmse(got, values, n, eps) > (1 + BOUND_RTOL) * err:
            raise Fail(_bound_hint(got, values, n, eps))


# --------------------------------------------------------------------------
# Part 7: bounded_visit_counts
# --------------------------------------------------------------------------

# A budget so large that the noise (scale cap / epsilon) is far below 1e-3:
# the output rounds to the kept counts.
HUGE_EPS = 1e9
# The groups of people of the selection calls, with cap 2: (visits of each
# person, by cell (among cells 0 to 9), how many such people are drawn).
# - A: one visit to each of cells 0 to 4: each cell's count is Binomial(m, 2/5)
#   if the 2 kept visits are chosen at random (they total exactly 2m);
# - B: one visit to each of cells 5 and 6 (no more than the cap): all kept;
# - C: ten visits to cell 7: exactly 2 of them kept;
# - D: three visits to cell 8 and one to cell 9: cell 9's count is
#   Binomial(m, 1/2), and cells 8 and 9 total exactly 2m.
# Cells 10 and 11 are visited by nobody.
VISIT_GROUPS = {
    "A": ([0, 1, 2, 3, 4], (8_000, 12_000)),
    "B": ([5, 6], (1_000, 2_000)),
    "C": ([7] * 10, (1_000, 2_000)),
    "D": ([8, 8, 8, 9], (4_000, 6_000)),
}
VISIT_CELLS = 12
VISIT_CAP = 2
# Noise calls: people who never exceed the cap, so that the output minus the
# exact counts is the noise; (cells, people, cap, epsilon).
NOISE_CASES = [(40_000, 50_000, 3, 0.8)]  # scale 3.75, not a whole number

# Statistical tests: on each of the two selection calls, binomial tests of
# cells 0 to 4 and 9 (6 tests), on the public check's 4 visits per person 4
# more; on each of the two noise calls (the drawn one and the public
# check's), a KS test of the noise against the exact Laplace CDF and a sign
# test of independence (2 tests): 2 x 6 + 4 + 2 x 2 = 20 shares of ALPHA.
# Power: with m >= 8,000 people in group A, keeping each visit with
# probability 1/2 (one visit too many or too few chosen at random) or
# 3/10 / 1/2 instead of 2/5 passes a cell's binomial test with probability
# below 1e-20; keeping the first 2 visits in the order given (cells 0 and 1,
# in the sorted call) or the same 2 cells for everybody gives counts of 0 or
# m, which fail with certainty. The KS tests (40,000 and 40,000 cells) have
# the power of part 3's: a Laplace scale off by 1.25x either way passes with
# probability below 1e-24, Gaussian noise of the same scale below 1e-36.
VISIT_TESTS = 20
VISIT_ALPHA = ALPHA / VISIT_TESTS


def _visits(rng: np.random.Generator, ordered: bool) -> tuple[np.ndarray, np.ndarray]:
    """The visits of ``VISIT_GROUPS``, as (person, cell) arrays.

    ``ordered``: people numbered 0, 1, ... and each person's visits in the
    order of ``VISIT_GROUPS``; otherwise the rows are shuffled and the people
    carry large random ids.
    """
    person, cell = [], []
    first = 0
    for cells, (low, high) in VISIT_GROUPS.values():
        m = int(rng.integers(low, high + 1))
        person.append(np.repeat(np.arange(first, first + m), len(cells)))
        cell.append(np.tile(cells, m))
        first += m
    who, where = np.concatenate(person), np.concatenate(cell)
    if ordered:
        return who, where
    ids = rng.choice(10**12, size=first, replace=False) - 5 * 10**11
    rows = rng.permutation(who.size)
    return ids[who][rows], where[rows]


def _noise_visits(rng: np.random.Generator, cells: int, people: int, cap: int):
    """Visits of people who each make 1 to ``cap`` visits to random cells."""
    counts = rng.integers(1, cap + 1, size=people)
    who = np.repeat(rng.permutation(people) * 7 + 3, counts)
    return who, rng.integers(0, cells, size=who.size)


def visit_calls(rng: np.random.Generator) -> list[Call]:
    calls = []
    for ordered in (True, False):
        who, where = _visits(rng, ordered)
        args = (who, where, VISIT_CELLS, VISIT_CAP, HUGE_EPS, _student_rng(rng))
        calls.append(Call("bounded_visit_counts", args))
    for cells, people, cap, eps in NOISE_CASES:
        who, where = _noise_visits(rng, cells, people, cap)
        args = (who, where.tolist(), cells, cap, eps, _student_rng(rng))
        calls.append(Call("bounded_visit_counts", args))
    # The public checks' cases, with their seeds.
    public = [
        ([1, 1, 1, 2, 3, 3], [0, 0, 1, 1, 2, 2], 4, 2, HUGE_EPS, 1),
        (np.arange(20_000).repeat(4), np.tile(np.arange(4), 20_000), 4, 1, HUGE_EPS, 2),
        (np.arange(40_000), np.arange(40_000), 40_000, 2, 1.0, 3),
    ]
    for *args, seed in public:
        calls.append(Call("bounded_visit_counts", (*args, np.random.default_rng(seed))))
    return calls


def _kept_counts(got: np.ndarray) -> np.ndarray:
    counts = np.round(got)
    if np.abs(got - counts).max() > 1e-3:
        raise Fail(
            f"with epsilon = {HUGE_EPS:g} the noise is negligible and each cell "
            "should hold a whole number of kept visits; got fractions (is the "
            "Laplace scale cap / epsilon?)"
        )
    return counts.astype(np.int64)


def _exact_checks(kept: np.ndarray, who: np.ndarray, where: np.ndarray, cap: int):
    """What holds for any correct choice of the kept visits.

    Every cell keeps at least the visits of the people within the cap (all of
    theirs are kept) and at most all its visits, and the table holds
    min(visits, cap) visits of each person.
    """
    exact = np.bincount(where, minlength=kept.size)
    _, index, visits = np.unique(who, return_inverse=True, return_counts=True)
    within = np.bincount(where[visits[index] <= cap], minlength=kept.size)
    if (kept > exact).any():
        raise Fail("a cell's count can only lose visits, never gain them")
    if (kept < within).any():
        raise Fail("people with no more visits than the cap keep all of them")
    total = int(np.minimum(visits, cap).sum())
    if kept.sum() != total:
        raise Fail(
            "keep exactly min(visits, cap) visits of each person: a person with "
            "more than cap visits keeps cap of them, one with fewer keeps all; "
            f"the table should hold {total} visits, yours holds {kept.sum()}"
        )


def _binomial_cells(tests: list[tuple[int, int, float]], what: str) -> None:
    """Binomial tests of (kept count, people, probability) of cells."""
    if not all(binomial_ok(int(k), m, p, VISIT_ALPHA) for k, m, p in tests):
        shares = ", ".join(f"{k / m:.3f}" for k, m, _ in tests)
        raise Fail(
            "choose each person's kept visits at random, every set of cap visits "
            "equally likely and independently of other people: "
            f"{what}; the shares kept were {shares}"
        )


def _selection_check(kept: np.ndarray, who: np.ndarray, where: np.ndarray) -> None:
    people = {
        name: np.unique(who[where == cells[-1]]).size
        for name, (cells, _) in VISIT_GROUPS.items()
    }
    if kept[7] != VISIT_CAP * people["C"]:
        raise Fail(
            "the cap counts visits, not places: a person who visits the same "
            "place ten times keeps cap of those visits"
        )
    _binomial_cells(
        [(kept[j], people["A"], VISIT_CAP / 5) for j in range(5)],
        "people with one visit to each of 5 places (in that order) should keep "
        "each visit with probability 2/5",
    )
    _binomial_cells(
        [(kept[9], people["D"], VISIT_CAP / 4)],
        "people with three visits to one place and one to another should keep "
        "the single visit with probability 1/2",
    )


def _noise_check(got: np.ndarray, who, where, cap: int, eps: float) -> None:
    exact = np.bincount(np.asarray(where), minlength=got.size)
    noise = got - exact
    scale = cap / eps
    if np.unique(np.round(noise, 9)).size < 10:
        raise Fail("add independent Laplace noise of scale cap / epsilon to every cell")
    if stats.kstest(noise, "laplace", args=(0.0, scale)).pvalue < VISIT_ALPHA:
        wrong = {
            "the sensitivity of the table is the cap: use scale cap / epsilon, "
            "not 1 / epsilon": 1 / eps,
            "the Laplace scale is cap / epsilon, not epsilon / cap": eps / cap,
            "the Laplace scale is cap / epsilon, not cap * epsilon": cap * eps,
        }
        for hint, wrong_scale in wrong.items():
            if (
                stats.kstest(noise, "laplace", args=(0.0, wrong_scale)).pvalue
                >= VISIT_ALPHA
            ):
                raise Fail(hint)
        raise Fail(
            f"the noise (output minus exact counts, for people within the cap) "
            f"should be Laplace with scale cap / epsilon = {scale:g}; its mean "
            f"absolute value is {np.abs(noise).mean():.3g}"
        )
    if not signs_independent(noise, VISIT_ALPHA):
        raise Fail("the noise on different cells must be independent")


def visit_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        who, where, cells, cap, eps = call.args[:5]
        who, where = np.asarray(who), np.asarray(where)
        got = _float_array(value, "bounded_visit_counts", (cells,))
        if eps == HUGE_EPS:
            kept = _kept_counts(got)
            _exact_checks(kept, who, where, cap)
            if cells == VISIT_CELLS:
                _selection_check(kept, who, where)
            elif cap == 1:  # the public check's 4 visits per person
                _binomial_cells(
                    [(k, who.size // 4, 1 / 4) for k in kept],
                    "people with one visit to each of 4 places should keep each "
                    "with probability 1/4",
                )
        else:
            _noise_check(got, who, where, cap, eps)


TESTS = {
    "test_randomized_response": Test(rr_calls, rr_check),
    "test_rr_estimate": Test(est_calls, est_check),
    "test_noisy_clipped_sums": Test(sums_calls, sums_check),
    "test_laplace_scales": Test(scales_calls, scales_check),
    "test_clipping_bound": Test(bound_calls, bound_check),
    "test_bounded_visit_counts": Test(visit_calls, visit_check),
}

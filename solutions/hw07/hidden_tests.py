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
and its Generators' seeds. Fixed: the public checks' cases (with their
seeds), the small hand-written edge cases, and the whole of part 4.

Parts 2 and 4 are deterministic and compared with reference values at a
tolerance of 1e-9 (false-failure rate zero). Parts 1 and 3 are randomised:
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


TESTS = {
    "test_randomized_response": Test(rr_calls, rr_check),
    "test_rr_estimate": Test(est_calls, est_check),
    "test_noisy_clipped_sums": Test(sums_calls, sums_check),
    "test_laplace_scales": Test(scales_calls, scales_check),
}

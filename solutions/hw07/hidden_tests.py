"""Hidden tests of homework 7 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw07.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Each part's calls use only that part's function.

Parts 2 and 4 are deterministic and compared with reference values at a
tolerance of 1e-9 (false-failure rate zero). Parts 1 and 3 are randomised:
each Call passes its own ``np.random.default_rng(seed)`` and asks for many
draws at once, and the checks test distributions, never particular draws, so
any correct answer passes whatever order it draws in. Each of those test
cells makes a fixed number of statistical tests and splits a total
false-failure rate of 1e-6 between them (Bonferroni); see ``ALPHA``.
See ``course_lib.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import stats

from course_lib.grading.spec import Call, Fail, Outcome, Test, returned_values

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


# --------------------------------------------------------------------------
# Part 1: randomized_response
# --------------------------------------------------------------------------


@functools.cache
def rr_inputs() -> list[tuple]:
    shuffle = np.random.default_rng(7001)
    bits = shuffle.permutation(np.r_[np.zeros(100_000), np.ones(100_000)]).astype(int)
    return [
        (bits, 1.0, 7101),
        (bits.astype(bool), 0.25, 7102),
        (list(bits[:120_000]), 3.0, 7103),
        (np.array([1, 0, 1, 1, 0], dtype=np.int8), 0.5, 7104),
    ]


# Statistical tests: on each of the three large calls, the flip rate among true
# 0s and among true 1s (two-sided binomial z-tests) and the correlation of
# flips between neighbouring positions (independence): 3 calls x 3 = 9 tests.
RR_TESTS = 9
RR_Z = float(stats.norm.isf(ALPHA / RR_TESTS / 2))


def rr_calls() -> list[Call]:
    return [
        Call("randomized_response", (bits, eps, np.random.default_rng(seed)))
        for bits, eps, seed in rr_inputs()
    ]


def _z_rate(flips: np.ndarray, q: float) -> float:
    return (flips.mean() - q) / math.sqrt(q * (1 - q) / flips.size)


def rr_check(outcomes: list[Outcome]) -> None:
    for value, (bits, eps, _) in zip(
        returned_values(outcomes), rr_inputs(), strict=True
    ):
        truth = np.asarray(bits).astype(int)
        reports = _float_array(value, "randomized_response", truth.shape)
        if not np.isin(reports, (0, 1)).all():
            raise Fail("return the reported bits themselves (0/1), not an estimate")
        flips = reports.astype(int) != truth
        if truth.size < 1000:
            continue
        q = 1 / (1 + math.exp(eps))
        if flips.all() or not flips.any():
            raise Fail(
                "every bit needs its own independent coin: you flipped all of them "
                "or none (one random draw reused for every person?)"
            )
        f0, f1 = flips[truth == 0], flips[truth == 1]
        z0, z1 = _z_rate(f0, q), _z_rate(f1, q)
        if abs(z0) > RR_Z or abs(z1) > RR_Z:
            if f0.mean() == 0 or f1.mean() == 0:
                raise Fail(
                    "randomise every answer, the 0s as well as the 1s (some bits "
                    "were never flipped)"
                )
            rates = {
                "flip probability e^-epsilon": math.exp(-eps),
                "keep probability 1 / (1 + e^epsilon) (keep and flip swapped)": 1 - q,
            }
            for mistake, rate in rates.items():
                if abs(_z_rate(f0, rate)) <= RR_Z and abs(_z_rate(f1, rate)) <= RR_Z:
                    raise Fail(
                        "each bit must be kept with probability e^epsilon / "
                        f"(1 + e^epsilon); yours looks like {mistake}"
                    )
            raise Fail(
                f"with epsilon = {eps} the share of flipped bits should be "
                f"1 / (1 + e^epsilon) = {q:.4f} among the 0s and among the 1s; got "
                f"{f0.mean():.4f} and {f1.mean():.4f}"
            )
        x = flips.astype(float)
        corr = np.corrcoef(x[:-1], x[1:])[0, 1]
        if abs(corr) * math.sqrt(x.size - 1) > RR_Z:
            raise Fail("the flips of different people must be independent")


# --------------------------------------------------------------------------
# Part 2: rr_estimate
# --------------------------------------------------------------------------


@functools.cache
def est_inputs() -> list[tuple]:
    rng = np.random.default_rng(7201)
    return [
        ([1, 0, 0, 1, 1, 0, 1, 0, 0, 0], 1.0),
        (np.array([0, 0, 0, 0, 1]), 0.5),  # below 1 - p: a negative estimate
        (np.ones(8, dtype=bool), 0.8),  # above p: an estimate above 1
        ((rng.random(50_000) < 0.4).astype(np.int8), 2.0),
        (list(rng.random(1000) < 0.6), 0.1),
        (np.r_[np.ones(300), np.zeros(700)].astype(int), 1.5),
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


def est_calls() -> list[Call]:
    return [Call("rr_estimate", args) for args in est_inputs()]


def est_check(outcomes: list[Outcome]) -> None:
    for value, args in zip(returned_values(outcomes), est_inputs(), strict=True):
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


@functools.cache
def sums_inputs() -> list[tuple]:
    rng = np.random.default_rng(7301)
    k = 40_000
    heavy = rng.standard_t(3, size=(k, 30)) * 8 + 5  # outliers beyond the bounds
    ages = rng.integers(0, 12, size=(k, 20)).astype(float)
    mixed = rng.normal(-1, 3, size=(k, 10))
    return [
        (heavy, -10.0, 30.0, 0.5, 7401),  # sensitivity 30, scale 60
        (ages, 0.0, 5.0, 2.0, 7402),  # sensitivity 5, scale 2.5
        (mixed, -4.0, 1.0, 1.0, 7403),  # sensitivity 4 (not 5 = upper - lower)
        (
            [[1.0, 2.0, 3.0], [10.0, -20.0, 0.0]],
            -1.0,
            2.0,
            1.0,
            7404,
        ),
    ]


# Statistical tests on each of the three large calls: a two-sided KS test of
# the noise against the exact Laplace CDF and a test of the lag-1 correlation
# of the noise (independence between datasets): 3 calls x 2 = 6 tests.
SUMS_TESTS = 6
SUMS_ALPHA = ALPHA / SUMS_TESTS
SUMS_Z = float(stats.norm.isf(SUMS_ALPHA / 2))


def sums_calls() -> list[Call]:
    return [
        Call("noisy_clipped_sums", (data, lo, hi, eps, np.random.default_rng(seed)))
        for data, lo, hi, eps, seed in sums_inputs()
    ]


def _ks_ok(noise: np.ndarray, scale: float) -> bool:
    return stats.kstest(noise, "laplace", args=(0.0, scale)).pvalue >= SUMS_ALPHA


def sums_check(outcomes: list[Outcome]) -> None:
    for value, (data, lo, hi, eps, _) in zip(
        returned_values(outcomes), sums_inputs(), strict=True
    ):
        x = np.asarray(data, dtype=float)
        got = _float_array(value, "noisy_clipped_sums", (x.shape[0],))
        clipped = np.clip(x, lo, hi).sum(axis=1)
        noise = got - clipped
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
        raw_noise = got - x.sum(axis=1)
        if _ks_ok(noise, scale):
            corr = np.corrcoef(noise[:-1], noise[1:])[0, 1]
            if abs(corr) * math.sqrt(noise.size - 1) > SUMS_Z:
                raise Fail("the noise on different sums must be independent")
            continue
        if _ks_ok(raw_noise, scale) or (
            abs(np.median(raw_noise)) < 3 * scale / math.sqrt(noise.size)
            and abs(np.median(noise)) > 10 * scale / math.sqrt(noise.size)
        ):
            raise Fail("clip every value to [lower, upper] before summing")
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
                raise Fail(hint)
        per_value = 2 * scale**2 * x.shape[1]
        if abs(noise.var() / per_value - 1) < 0.1:
            raise Fail(
                "add one Laplace draw to each sum, not one to every value: noise "
                "on each value adds up to far more than the sum needs"
            )
        gaussian = stats.kstest(noise, "norm", args=(0.0, noise.std())).pvalue
        if gaussian >= SUMS_ALPHA:
            raise Fail("the noise must be Laplace (rng.laplace), not Gaussian")
        raise Fail(
            f"the noise (output minus clipped sum) should follow a Laplace "
            f"distribution with scale {scale:g}; its mean absolute value is "
            f"{np.abs(noise).mean():.3g} (expected {scale:g})"
        )


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

"""Hidden tests of homework 9 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw09.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Parts 1, 2 and 4 are deterministic and compared with references at a
tolerance of 1e-9 (false-failure rate zero).

Part 3 (``noisy_gradient_sum``) is randomised. Each statistical call returns a
sum over d >= 2,000 coordinates; the check subtracts the exact sum of clipped
gradients and tests that the d residuals are i.i.d. N(0, s^2) with
s = noise_multiplier * clip_norm: their mean (z-test), their variance (chi-square
test), their distribution (Kolmogorov-Smirnov against the exact normal CDF) and
the number of distinct values. Each test has false-failure rate at most 5e-8 and
there are 4 tests on each of 3 calls, so a correct answer fails the cell with
probability at most 12 * 5e-8 = 6e-7 (Bonferroni). Only distributions are
tested, never one order of draws: any correct way of drawing the noise from
``rng`` passes.
See ``course_lib.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import stats

from course_lib.grading.spec import Call, Fail, Outcome, Test, returned_values
from course_lib.privacy import clip_gradients

ATOL = 1e-9
ALPHA = 5e-8  # per statistical test; 12 tests per cell -> 6e-7 in total


def _close(got, want, atol: float = ATOL) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=float)
    return got.shape == want.shape and np.allclose(got, want, atol=atol, rtol=1e-9)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _gradients(X, y, w) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    residual = _sigmoid(X @ np.asarray(w, dtype=float)) - np.asarray(y, dtype=float)
    return X * residual[:, None]


# --------------------------------------------------------------------------
# Part 1: per_example_gradients
# --------------------------------------------------------------------------


@functools.cache
def grad_inputs() -> list[tuple]:
    rng = np.random.default_rng(91)
    X = rng.normal(size=(50, 5))
    y = (rng.random(50) < 0.4).astype(int)
    w = rng.normal(size=5)
    Xb = rng.normal(size=(300, 20)) * 3
    yb = (rng.random(300) < 0.5).astype(int)
    wb = rng.normal(size=20)
    return [
        ([[1.0, 2.0], [0.5, -1.0]], [1, 0], [0.0, 0.0]),
        ([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]], [1, 0, 1], [0.3, -0.2]),
        (X, y, w),
        (X.tolist(), y.tolist(), w.tolist()),
        (Xb, yb.astype(bool), wb),
        (Xb[:1], yb[:1], wb),
    ]


def grad_calls() -> list[Call]:
    return [Call("per_example_gradients", args) for args in grad_inputs()]


def grad_check(outcomes: list[Outcome]) -> None:
    for value, (X, y, w) in zip(returned_values(outcomes), grad_inputs(), strict=True):
        want = _gradients(X, y, w)
        if _close(value, want):
            continue
        got = np.asarray(value, dtype=float)
        if got.shape == want.shape[::-1] and want.shape[0] != want.shape[1]:
            raise Fail("return one ROW per example: shape (n, d), not (d, n)")
        if got.shape != want.shape:
            if got.shape in ((want.shape[1],), (1, want.shape[1])):
                raise Fail(
                    "return the gradient of EACH example (a matrix with one row "
                    "per example), not their sum or mean"
                )
            raise Fail(f"the result must have shape {want.shape}; got {got.shape}")
        if _close(got, -want):
            raise Fail(
                "the sign is wrong: the residual is sigma(w.x) - y, not y - sigma(w.x)"
            )
        Xa = np.asarray(X, dtype=float)
        no_sigmoid = (
            Xa * (Xa @ np.asarray(w, dtype=float) - np.asarray(y, float))[:, None]
        )
        if _close(got, no_sigmoid):
            raise Fail("apply the sigmoid to w.x before subtracting y")
        raise Fail("the gradients are wrong")


# --------------------------------------------------------------------------
# Part 2: clip_each
# --------------------------------------------------------------------------


@functools.cache
def clip_inputs() -> list[tuple]:
    rng = np.random.default_rng(92)
    big = rng.normal(size=(400, 30)) * rng.exponential(size=(400, 1))
    return [
        ([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], 1.0),
        ([[6.0, 8.0], [-0.6, 0.8], [1.0, -1.0]], 2.0),
        (big, 1.0),
        (big, 5.0),
        (big[:, :1], 0.7),
        (np.zeros((3, 4)), 0.5),
    ]


def clip_calls() -> list[Call]:
    return [
        Call("clip_each", (np.array(g, dtype=float), c), observe_args=True)
        for g, c in clip_inputs()
    ]


def clip_check(outcomes: list[Outcome]) -> None:
    for outcome, (g, c) in zip(outcomes, clip_inputs(), strict=True):
        if not outcome.ok:
            raise Fail(f"Your function raised an error: {outcome.error}")
        g = np.asarray(g, dtype=float)
        want = clip_gradients(g, c)
        value = outcome.value
        if outcome.args is not None and not _close(outcome.args[0], g):
            raise Fail("clip_each must not modify grads: work on a copy")
        if _close(value, want):
            continue
        got = np.asarray(value, dtype=float)
        if got.shape != want.shape:
            raise Fail(
                f"the result must have the shape of grads {want.shape}; got {got.shape}"
            )
        if np.isnan(got).any():
            raise Fail("a row of zeros must stay zero (no division by zero)")
        if _close(got, np.clip(g, -c, c)):
            raise Fail(
                "clip the L2 norm of each ROW (scale the whole row), not each "
                "coordinate separately"
            )
        norms = np.linalg.norm(g, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            normalised = np.where(norms[:, None] > 0, g * (c / norms)[:, None], 0.0)
        if _close(got, normalised):
            raise Fail(
                "rows shorter than max_norm must stay unchanged: scale only the "
                "rows whose norm exceeds max_norm"
            )
        total = np.linalg.norm(g)
        if total > 0 and _close(got, g * min(1.0, c / total)):
            raise Fail("clip each row (each example) separately, not the whole matrix")
        raise Fail("the clipped rows are wrong")


# --------------------------------------------------------------------------
# Part 3: noisy_gradient_sum (statistical)
# --------------------------------------------------------------------------

# (n, d, clip_norm, noise_multiplier, data seed, rng seed); the last one is
# (almost) noiseless and checks the clipped sum exactly.
NOISY_CASES = [
    (200, 4000, 0.5, 1.0, 931, 9310),
    (100, 3000, 2.0, 0.7, 932, 9320),
    (300, 2000, 0.1, 3.0, 933, 9330),
    (150, 50, 0.8, 1e-12, 934, 9340),
]


@functools.cache
def noisy_data(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.exponential(size=(n, 1))
    y = (rng.random(n) < 0.5).astype(int)
    w = rng.normal(size=d) / np.sqrt(d)
    return X, y, w


def noisy_calls() -> list[Call]:
    calls = []
    for n, d, c, sigma, seed, rng_seed in NOISY_CASES:
        X, y, w = noisy_data(n, d, seed)
        args = (X, y, w, c, sigma, np.random.default_rng(rng_seed))
        calls.append(Call("noisy_gradient_sum", args))
    return calls


def _looks_normal(r: np.ndarray, s: float) -> str | None:
    """None if the residuals r pass all four tests of N(0, s^2), else a reason."""
    d = r.size
    if np.unique(r).size < d // 2:
        return "distinct"
    z = stats.norm.isf(ALPHA / 2)
    if abs(r.mean()) > z * s / np.sqrt(d):
        return "mean"
    stat = (d - 1) * r.var(ddof=1) / s**2
    if not stats.chi2.ppf(ALPHA / 2, d - 1) <= stat <= stats.chi2.isf(ALPHA / 2, d - 1):
        return "variance"
    if stats.kstest(r / s, "norm").pvalue < ALPHA:
        return "shape"
    return None


def noisy_check(outcomes: list[Outcome]) -> None:
    for value, (n, d, c, sigma, seed, _) in zip(
        returned_values(outcomes), NOISY_CASES, strict=True
    ):
        X, y, w = noisy_data(n, d, seed)
        grads = _gradients(X, y, w)
        want = clip_gradients(grads, c).sum(axis=0)
        try:
            got = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as error:
            raise Fail("noisy_gradient_sum must return a vector of numbers") from error
        if got.shape != (d,):
            raise Fail(
                f"return one noisy coordinate per weight: shape ({d},); got {got.shape}"
            )
        if not np.all(np.isfinite(got)):
            raise Fail("the result has NaN or infinite values")
        raw = grads.sum(axis=0)
        raw_norm = np.linalg.norm(raw)
        batch = raw * min(1.0, c / raw_norm)
        s = sigma * c
        if sigma < 1e-6:  # noiseless: the clipped sum must be exact
            if np.allclose(got, want, atol=1e-6, rtol=1e-9):
                continue
            if np.allclose(got, batch, atol=1e-6):
                raise Fail(
                    "clip each example's gradient before summing, not the summed "
                    "(batch) gradient"
                )
            if np.allclose(got, raw, atol=1e-6):
                raise Fail(
                    "clip each example's gradient to norm clip_norm before summing"
                )
            if np.allclose(got, want / n, atol=1e-6):
                raise Fail(
                    "return the SUM of the clipped gradients (plus noise), not their mean"
                )
            raise Fail(
                "with no noise, the result is not the sum of the clipped gradients"
            )
        reason = _looks_normal(got - want, s)
        if reason is None:
            continue
        r = got - want
        if np.unique(r).size < d // 2:
            raise Fail(
                "draw independent noise for every coordinate: one draw reused "
                "across coordinates is not the Gaussian mechanism"
            )
        if _looks_normal(got - batch, s) is None or _looks_normal(got - raw, s) is None:
            raise Fail(
                "clip each example's gradient before summing; clipping the summed "
                "(batch) gradient, or not clipping, does not bound one person's influence"
            )
        if _looks_normal(got - want / n, s / n) is None or np.allclose(
            (got - want / n).std() * n, s, rtol=0.2
        ):
            raise Fail(
                "return the SUM of the clipped gradients plus noise, not their mean"
            )
        if _looks_normal(r, np.sqrt(n) * s) is None:
            raise Fail(
                "add the noise once to the SUM, not to each example's gradient "
                "(that multiplies the noise variance by the batch size)"
            )
        if _looks_normal(r, sigma) is None:
            raise Fail(
                "the noise standard deviation is noise_multiplier * clip_norm "
                "(the sensitivity of the clipped sum), not noise_multiplier alone"
            )
        if _looks_normal(r, c) is None:
            raise Fail(
                "the noise standard deviation is noise_multiplier * clip_norm, not clip_norm"
            )
        raise Fail(
            "the noise is not independent N(0, (noise_multiplier * clip_norm)^2) per "
            f"coordinate around the sum of clipped gradients (failed: {reason})"
        )


# --------------------------------------------------------------------------
# Part 4: best_advantage
# --------------------------------------------------------------------------


@functools.cache
def adv_inputs() -> list[tuple]:
    rng = np.random.default_rng(94)
    members = rng.exponential(0.8, size=300)
    outsiders = rng.exponential(1.0, size=1000)
    ties_in = rng.integers(0, 6, size=80)
    ties_out = rng.integers(1, 8, size=130)
    return [
        ([0.1, 0.2, 0.3, 2.0], [0.25, 1.0, 1.5, 3.0]),
        ([1.0, 2.0], [0.5, 0.6]),
        ([0.1, 0.2], [0.3, 0.4, 0.5]),
        ([1.0, 1.0, 2.0, 3.0], [1.0, 2.0, 2.0]),
        (members, outsiders),
        (outsiders[:200], members),
        (ties_in.tolist(), ties_out.tolist()),
        (ties_out, ties_in),
        (rng.normal(size=500), rng.normal(size=500)),
    ]


def adv_reference(inside, outside, *, strict=False, reverse=False) -> float:
    a = np.asarray(inside, dtype=float)
    b = np.asarray(outside, dtype=float)
    t = np.unique(np.concatenate([a, b]))
    if strict:
        tpr, fpr = (a[None, :] < t[:, None]).mean(1), (b[None, :] < t[:, None]).mean(1)
    else:
        tpr, fpr = (
            (a[None, :] <= t[:, None]).mean(1),
            (b[None, :] <= t[:, None]).mean(1),
        )
    gap = fpr - tpr if reverse else tpr - fpr
    return float(max(0.0, gap.max()))


def adv_calls() -> list[Call]:
    return [Call("best_advantage", args) for args in adv_inputs()]


def adv_check(outcomes: list[Outcome]) -> None:
    for value, (inside, outside) in zip(
        returned_values(outcomes), adv_inputs(), strict=True
    ):
        try:
            got = float(value)
        except (TypeError, ValueError) as error:
            raise Fail("best_advantage must return a number") from error
        want = adv_reference(inside, outside)
        if np.isclose(got, want, atol=ATOL):
            continue
        if got < -ATOL:
            raise Fail("the advantage is never negative: flagging nobody gives 0")
        if np.isclose(got, adv_reference(inside, outside, reverse=True), atol=ATOL):
            raise Fail("flag as members the examples with a SMALL loss (loss <= t)")
        both = max(want, adv_reference(inside, outside, reverse=True))
        if np.isclose(got, both, atol=ATOL):
            raise Fail(
                "take the largest TPR - FPR of the rule 'member when loss <= t', "
                "not the largest absolute difference"
            )
        if np.isclose(got, (1 + want) / 2, atol=ATOL):
            raise Fail(
                "return TPR - FPR, not the balanced accuracy (1 + TPR - FPR) / 2"
            )
        if np.isclose(got, adv_reference(inside, outside, strict=True), atol=ATOL):
            raise Fail(
                "the rule flags losses <= t (ties with the threshold count as members)"
            )
        n_in, n_out = len(inside), len(outside)
        if n_in != n_out and n_in + n_out > 20:
            a, b = np.asarray(inside, float), np.asarray(outside, float)
            t = np.unique(np.concatenate([a, b]))
            counts = (a[None, :] <= t[:, None]).sum(1) - (b[None, :] <= t[:, None]).sum(
                1
            )
            for denom in (n_in, n_out, n_in + n_out):
                if np.isclose(got, max(0, counts.max()) / denom, atol=ATOL):
                    raise Fail(
                        "divide members flagged by the number of members and "
                        "non-members flagged by the number of non-members"
                    )
        raise Fail("the advantage is wrong")


TESTS = {
    "test_per_example_gradients": Test(grad_calls, grad_check),
    "test_clip_each": Test(clip_calls, clip_check),
    "test_noisy_gradient_sum": Test(noisy_calls, noisy_check),
    "test_best_advantage": Test(adv_calls, adv_check),
}
